/**
 * Prometheus metrics (`GET /metrics`, prom-client). One registry per app, so two servers in a process (tests,
 * embedding) never share counters. Most are counted where things happen; the engine's and the job store's
 * gauges are read at scrape time. Labels are bounded sets — route templates, status codes, model names — never
 * request ids, keys or projects.
 */
import type { EngineObserver } from "@earshot/engine";
import { JOB_STATUSES } from "@earshot/protocol";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ServerEngine } from "../engine.js";
import type { JobStore } from "../jobs/record.js";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const RTF_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5];
const WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const LOAD_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

export interface MetricSources {
  engine: ServerEngine;
  /** Read at scrape time (the job store opens after the metrics exist). */
  jobs(): JobStore;
  /** HTTP requests on the speech APIs being answered now, and open streams. */
  active(): { batch: number; streams: number };
}

export class ServerMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: "earshot_http_requests_total",
    help: "HTTP requests answered, by route template, method and status.",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: "earshot_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route template, method and status.",
    labelNames: ["route", "method", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly cancelledRequests = new Counter({
    name: "earshot_http_requests_cancelled_total",
    help: "Speech API requests whose client disconnected before the answer was complete (their work is stopped), by route template.",
    labelNames: ["route"] as const,
    registers: [this.registry],
  });
  readonly streams = new Counter({
    name: "earshot_streams_total",
    help: "WebSocket streams asked for, by route and status (101 when it opened).",
    labelNames: ["route", "status"] as const,
    registers: [this.registry],
  });
  readonly activeStreams = new Gauge({
    name: "earshot_active_streams",
    help: "WebSocket streams open now, by route.",
    labelNames: ["route"] as const,
    registers: [this.registry],
  });
  readonly streamDuration = new Histogram({
    name: "earshot_stream_duration_seconds",
    help: "How long WebSocket streams stayed open, by route.",
    labelNames: ["route"] as const,
    buckets: [1, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly audioSeconds = new Counter({
    name: "earshot_audio_seconds_total",
    help: "Seconds of audio transcribed, by mode (batch, stream) and model.",
    labelNames: ["mode", "model"] as const,
    registers: [this.registry],
  });
  readonly ttsCharacters = new Counter({
    name: "earshot_tts_characters_total",
    help: "Characters synthesised, by voice.",
    labelNames: ["model"] as const,
    registers: [this.registry],
  });
  readonly rtf = new Histogram({
    name: "earshot_transcription_rtf",
    help: "Real-time factor of batch transcriptions (processing time / audio duration), by model.",
    labelNames: ["model"] as const,
    buckets: RTF_BUCKETS,
    registers: [this.registry],
  });
  readonly engineQueueWait = new Histogram({
    name: "earshot_engine_queue_wait_seconds",
    help: "Time engine tasks waited for a worker thread.",
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly workerBusySeconds = new Counter({
    name: "earshot_engine_worker_busy_seconds_total",
    help: "Seconds engine worker threads spent on tasks; its rate over earshot_engine_workers is their utilisation.",
    registers: [this.registry],
  });
  readonly modelLoad = new Histogram({
    name: "earshot_model_load_seconds",
    help: "Time a worker took to load a model, by model.",
    labelNames: ["model"] as const,
    buckets: LOAD_BUCKETS,
    registers: [this.registry],
  });
  readonly jobWait = new Histogram({
    name: "earshot_job_queue_wait_seconds",
    help: "Time jobs waited in the queue before their (last) attempt started.",
    buckets: WAIT_BUCKETS,
    registers: [this.registry],
  });
  readonly webhookDeliveries = new Counter({
    name: "earshot_webhook_deliveries_total",
    help: "Callback delivery attempts made by this process, by outcome (delivered, failed).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry, prefix: "earshot_" });
    const { engine } = sources;
    const engineGauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    engineGauge("earshot_engine_workers", "Engine worker threads.", () => engine.status().workers);
    engineGauge("earshot_engine_busy_workers", "Engine worker threads running a task now.", () => {
      return engine.status().busyWorkers;
    });
    engineGauge("earshot_engine_queue_depth", "Engine tasks waiting for a worker thread.", () => {
      return engine.status().queueDepth;
    });
    engineGauge("earshot_engine_active_requests", "Transcriptions admitted (running or waiting).", () => {
      return engine.status().active;
    });
    engineGauge("earshot_engine_queue_limit", "Transcriptions admitted at most; beyond, 429.", () => {
      return engine.status().queueLimit;
    });
    engineGauge("earshot_active_batch_requests", "Speech API HTTP requests being answered now.", () => {
      return sources.active().batch;
    });
    new Gauge({
      name: "earshot_jobs",
      help: "Jobs in the store, by state.",
      labelNames: ["state"] as const,
      registers: [this.registry],
      async collect() {
        const counts = await Promise.all(
          JOB_STATUSES.map((status) => sources.jobs().list({ statuses: [status], limit: 1, offset: 0 })),
        );
        for (const [index, status] of JOB_STATUSES.entries()) this.set({ state: status }, counts[index]!.total);
      },
    });
  }

  /** What the engine reports through its observer hooks. */
  engineObserver(): EngineObserver {
    return {
      taskStarted: (waitSeconds) => this.engineQueueWait.observe(waitSeconds),
      taskEnded: (runSeconds) => this.workerBusySeconds.inc(runSeconds),
      modelLoaded: (model, seconds) => this.modelLoad.observe({ model }, seconds),
    };
  }
}
