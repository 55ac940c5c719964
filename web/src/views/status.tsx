/**
 * What `/v1/status` and `/v1/models` say, readable: health, load (workers, queue, streams), and the installed
 * recognisers and voices. Fields this page does not know yet are listed as they come, so a newer server's
 * figures show up without a new page.
 */
import type { StatusResponse } from "@earshot/sdk";
import { useEffect, useState } from "preact/hooks";
import { useConsole } from "../app.js";
import { ErrorMessage } from "../components/error-message.js";
import { duration } from "../lib/format.js";

const POLL_MS = 3000;
const KNOWN = new Set(["status", "version", "uptime_seconds", "engine"]);
const KNOWN_ENGINE = new Set(["default_model", "workers", "busy_workers", "queue_depth", "queue_limit"]);

/** `{a: {b: 1}}` → `[["a b", "1"]]`, for fields shown as they come. */
function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) =>
      flatten(inner, `${prefix}${prefix ? " › " : ""}${key.replaceAll("_", " ")}`),
    );
  }
  return [[prefix, Array.isArray(value) ? value.join(", ") : String(value)]];
}

function Gauge(props: { label: string; value: number; max: number }) {
  const fraction = props.max > 0 ? Math.min(1, props.value / props.max) : 0;
  return (
    <div class="gauge">
      <div class="gauge-label">
        <span>{props.label}</span>
        <strong>
          {props.value} / {props.max}
        </strong>
      </div>
      <progress max={1} value={fraction} aria-label={`${props.label}: ${props.value} of ${props.max}`} />
    </div>
  );
}

interface ModelRow {
  key: string;
  name: string;
  badge?: string | undefined;
  cells: string[];
}

/** One kind of installed model: a row per model, its name as the row's header. */
function ModelTable(props: { title: string; columns: string[]; rows: ModelRow[] }) {
  return (
    <section class="card">
      <h2 class="small-heading">{props.title}</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {props.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">
                  {row.name}
                  {row.badge && <span class="badge done">{row.badge}</span>}
                </th>
                {row.cells.map((cell, i) => (
                  <td key={props.columns[i]}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function StatusView() {
  const { client, models } = useConsole();
  const [status, setStatus] = useState<StatusResponse>();
  const [error, setError] = useState<unknown>();
  const [checked, setChecked] = useState<Date>();

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async () => {
      try {
        setStatus(await client.status({ maxRetries: 0 }));
        setChecked(new Date());
        setError(undefined);
      } catch (failure) {
        if (!stopped) setError(failure);
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client]);

  const engine = status?.engine as (StatusResponse["engine"] & Record<string, unknown>) | undefined;
  const extra = status
    ? [
        ...flatten(Object.fromEntries(Object.entries(status).filter(([k]) => !KNOWN.has(k)))),
        ...flatten(Object.fromEntries(Object.entries(engine ?? {}).filter(([k]) => !KNOWN_ENGINE.has(k))), "engine"),
      ].filter(([key]) => key !== "" && key !== "engine")
    : [];
  return (
    <div class="view status">
      <p class="lede">
        What the server reports about itself, every {POLL_MS / 1000} seconds
        {checked && ` (last ${checked.toLocaleTimeString()})`}.
      </p>
      <ErrorMessage error={error} />
      {status && engine && (
        <div class="cards">
          <section class="card">
            <h2 class="small-heading">Server</h2>
            <dl class="facts">
              <div>
                <dt>Health</dt>
                <dd>
                  <span class={`badge ${status.status === "ok" ? "done" : "error"}`}>{status.status}</span>
                </dd>
              </div>
              <div>
                <dt>Version</dt>
                <dd>{status.version}</dd>
              </div>
              <div>
                <dt>Up for</dt>
                <dd>{duration(status.uptime_seconds)}</dd>
              </div>
              <div>
                <dt>Default model</dt>
                <dd>{engine.default_model}</dd>
              </div>
            </dl>
          </section>
          <section class="card">
            <h2 class="small-heading">Load</h2>
            <Gauge label="Busy workers" value={engine.busy_workers} max={engine.workers} />
            <Gauge label="Requests admitted" value={engine.queue_depth} max={engine.queue_limit} />
            {extra.length > 0 && (
              <dl class="facts">
                {extra.map(([key, value]) => (
                  <div key={key}>
                    <dt>{key}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
        </div>
      )}
      {models && (
        <>
          <ModelTable
            title="Speech recognition models"
            columns={["Architecture", "Languages", "Live", "Version"]}
            rows={models.stt.map((m) => ({
              key: m.uuid,
              name: m.name,
              badge: m.name === engine?.default_model ? "default" : undefined,
              cells: [m.architecture, m.languages.join(", "), m.streaming ? "yes" : "no", m.version],
            }))}
          />
          <ModelTable
            title="Voices"
            columns={["Architecture", "Languages", "Accent", "Details"]}
            rows={models.tts.map((v) => ({
              key: v.uuid,
              name: v.name,
              cells: [
                v.architecture,
                v.languages.join(", "),
                v.metadata.accent || "—",
                v.metadata.tags.filter(Boolean).join(", "),
              ],
            }))}
          />
        </>
      )}
    </div>
  );
}
