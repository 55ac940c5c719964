/**
 * A fixed set of worker threads with fair scheduling. Tasks wait in one queue per lane (a request, a stream)
 * and idle workers take from the lanes in turn, so a one-hour file split into pieces cannot starve a
 * two-second request that arrives after it. A worker that dies is replaced and its task fails with a 500.
 *
 * Live streams keep state in a worker between tasks, so a stream is a {@link PoolSession}: its lane is pinned
 * to one worker, chosen as the one with the fewest sessions, and that worker serves it in its turn with the
 * other lanes. Sessions on a worker that dies are lost; their next task fails.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { EarshotError, ErrorCode, reviveError, UnavailableError } from "@earshot/protocol";
import type { EngineObserver } from "../engine.js";
import type { LiveDecoderCounts } from "../stream/decoder-pool.js";
import type {
  ModelLoad,
  Task,
  TaskResult,
  WorkerInit,
  WorkerLiveDecoders,
  WorkerReply,
  WorkerUnloaded,
} from "./messages.js";

interface Pending {
  id: number;
  /** The worker (slot index) this task must run on; any worker when undefined. */
  pin: number | undefined;
  task: Task;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  /** `performance.now()` when queued, then when a worker took it. */
  queuedAt: number;
  startedAt?: number;
  /** Told when a worker takes the task. */
  onStart?: (() => void) | undefined;
}

interface Slot {
  worker: Worker;
  running: Pending | undefined;
  /** Models this worker has loaded for recognition, by name. */
  loaded: Map<string, LoadedModel>;
  /** Its live decoders, as it last reported them. */
  liveDecoders: LiveDecoderCounts;
}

/** A model loaded on one worker. */
export interface LoadedModel {
  model: string;
  worker: number;
  /** When it was loaded. */
  since: Date;
  /** Seconds the load took. */
  loadSeconds: number;
  /** How much the process's resident memory grew while it loaded. */
  memoryMb: number;
}

export interface PoolStats {
  workers: number;
  busy: number;
  queued: number;
  sessions: number;
}

/** A lane pinned to one worker, for tasks that share state on it. */
export interface PoolSession {
  readonly lane: string;
  readonly worker: number;
  run<T extends Task>(task: T, transfer?: ArrayBuffer[]): Promise<TaskResult<T>>;
  /** Give the worker's session slot back (after the worker-side state is closed). */
  release(): void;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly lanes = new Map<string, Pending[]>();
  /** Open sessions per worker, for placement. */
  private readonly sessionCounts: number[];
  private nextId = 0;
  private closed = false;
  /** Told when tasks start and end and when a worker loads a model. */
  observer: EngineObserver | undefined;

  constructor(
    private readonly init: WorkerInit,
    readonly size = availableParallelism(),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
    this.sessionCounts = this.slots.map(() => 0);
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: this.init });
    const slot: Slot = { worker, running: undefined, loaded: new Map(), liveDecoders: { held: 0, idle: 0, built: 0 } };
    worker.on("message", (reply: WorkerReply | WorkerUnloaded | WorkerLiveDecoders) => {
      if ("unloaded" in reply) {
        slot.loaded.delete(reply.unloaded);
        return;
      }
      if ("liveDecoders" in reply) {
        slot.liveDecoders = reply.liveDecoders;
        return;
      }
      const pending = slot.running;
      slot.running = undefined;
      if (pending?.startedAt !== undefined) this.observer?.taskEnded?.((performance.now() - pending.startedAt) / 1000);
      if (reply.ok && reply.loaded) this.noteLoad(slot, reply.loaded);
      if (pending && pending.id === reply.id) {
        if (reply.ok) pending.resolve(reply.result);
        // Rebuilt as the class it was thrown as, so `instanceof CapacityError` and `retryAfter` hold here too.
        else pending.reject(reviveError(reply.error));
      }
      this.dispatch();
    });
    worker.on("error", (err) => this.replace(slot, err));
    worker.on("exit", (code) => {
      if (!this.closed) this.replace(slot, new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  private noteLoad(slot: Slot, load: ModelLoad): void {
    this.observer?.modelLoaded?.(load.model, load.seconds);
    slot.loaded.set(load.model, {
      model: load.model,
      worker: this.slots.indexOf(slot),
      since: new Date(),
      loadSeconds: load.seconds,
      memoryMb: load.memoryMb,
    });
  }

  /** The models loaded for recognition on each worker now. */
  loadedModels(): LoadedModel[] {
    return this.slots.flatMap((slot) => [...slot.loaded.values()]);
  }

  /** Live decoders over all workers: lent to an utterance, built but idle, and built since each worker started. */
  liveDecoders(): LiveDecoderCounts {
    return this.slots.reduce(
      (sum, { liveDecoders: d }) => ({ held: sum.held + d.held, idle: sum.idle + d.idle, built: sum.built + d.built }),
      { held: 0, idle: 0, built: 0 },
    );
  }

  private replace(slot: Slot, err: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    slot.running?.reject(new EarshotError(500, ErrorCode.Internal, `The engine worker failed: ${err.message}`));
    slot.running = undefined;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  /** Run `task` on the next free worker, taking turns with the other lanes; `onStart` when a worker takes it. */
  run<T extends Task>(
    lane: string,
    task: T,
    transfer: ArrayBuffer[] = [],
    onStart?: () => void,
  ): Promise<TaskResult<T>> {
    return this.enqueue(lane, undefined, task, transfer, onStart);
  }

  /**
   * Drops the tasks `lane` still has queued, failing each with `reason`; a task already running on a worker
   * finishes (a piece is bounded), nothing after it starts. How a cancelled request stops using CPU.
   */
  cancelLane(lane: string, reason: Error): void {
    const queue = this.lanes.get(lane);
    if (!queue) return;
    this.lanes.delete(lane);
    for (const pending of queue) pending.reject(reason);
  }

  /** A lane pinned to the worker with the fewest open sessions. */
  openSession(lane: string): PoolSession {
    const worker = this.sessionCounts.indexOf(Math.min(...this.sessionCounts));
    this.sessionCounts[worker]!++;
    let released = false;
    return {
      lane,
      worker,
      run: (task, transfer = []) => this.enqueue(lane, worker, task, transfer),
      release: () => {
        if (released) return;
        released = true;
        this.sessionCounts[worker]!--;
      },
    };
  }

  private enqueue<T extends Task>(
    lane: string,
    pin: number | undefined,
    task: T,
    transfer: ArrayBuffer[],
    onStart?: () => void,
  ): Promise<TaskResult<T>> {
    if (this.closed) return Promise.reject(new UnavailableError("The engine is shutting down."));
    return new Promise((resolve, reject) => {
      const queue = this.lanes.get(lane) ?? [];
      queue.push({
        id: this.nextId++,
        pin,
        task,
        transfer,
        resolve: resolve as (v: unknown) => void,
        reject,
        queuedAt: performance.now(),
        onStart,
      });
      this.lanes.set(lane, queue);
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const [index, slot] of this.slots.entries()) {
      if (slot.running) continue;
      const next = this.takeNext(index);
      if (!next) continue;
      slot.running = next;
      next.startedAt = performance.now();
      this.observer?.taskStarted?.((next.startedAt - next.queuedAt) / 1000);
      next.onStart?.();
      slot.worker.postMessage({ id: next.id, task: next.task }, next.transfer);
    }
  }

  /**
   * Round-robin over lanes: take the head of the oldest lane this worker may serve, then move that lane to the
   * back. Lanes pinned to other workers keep their place.
   */
  private takeNext(worker: number): Pending | undefined {
    for (const [lane, queue] of this.lanes) {
      const head = queue[0];
      if (head && head.pin !== undefined && head.pin !== worker) continue;
      const next = queue.shift();
      this.lanes.delete(lane);
      if (queue.length > 0) this.lanes.set(lane, queue);
      if (next) return next;
    }
    return undefined;
  }

  stats(): PoolStats {
    let queued = 0;
    for (const queue of this.lanes.values()) queued += queue.length;
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.running).length,
      queued,
      sessions: this.sessionCounts.reduce((a, b) => a + b, 0),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new UnavailableError("The engine is shutting down.");
    for (const queue of this.lanes.values()) for (const pending of queue) pending.reject(error);
    this.lanes.clear();
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.running?.reject(error);
        await slot.worker.terminate();
      }),
    );
  }
}
