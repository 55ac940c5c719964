/**
 * Transcription jobs: several files submitted at once (`jobs.submit`), the list polled (`jobs.list`) so status
 * and progress move without a reload — faster while something is running — with a status filter, a result
 * opened in place (`jobs.get`), and cancel / delete (`jobs.cancel`). A job carries its file name in `extra`, so
 * the list names files submitted from anywhere.
 */
import type { JobInfo, JobListResponse, JobStatus, ListenOptionsInput } from "@earshot/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useConsole } from "../app.js";
import { DropZone } from "../components/drop-zone.js";
import { describeError, ErrorMessage } from "../components/error-message.js";
import { DEFAULT_CHOICES, ListenOptionsForm, toListenOptions } from "../components/listen-options.js";
import { Transcript } from "../components/transcript.js";
import { bytes, dateTime, percent } from "../lib/format.js";

type Summary = JobListResponse["jobs"][number];
type Filter = "all" | JobStatus;

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "queued", label: "Queued" },
  { value: "processing", label: "Processing" },
  { value: "done", label: "Done" },
  { value: "error", label: "Failed" },
];
const PAGE = 25;
const POLL_ACTIVE_MS = 1000;
const POLL_IDLE_MS = 5000;

interface Upload {
  id: number;
  name: string;
  error?: unknown;
}

/** The `filename:` entry of the job's `extra` options. */
function fileName(job: Summary): string | undefined {
  const extra = job.options.extra;
  const pairs = Array.isArray(extra) ? extra : [];
  const entry = pairs.find((p): p is string => typeof p === "string" && p.startsWith("filename:"));
  return entry?.slice("filename:".length);
}

const isActive = (job: Summary): boolean => job.status === "queued" || job.status === "processing";

export function JobsView() {
  const { client, models, unauthorised } = useConsole();
  const [choices, setChoices] = useState(DEFAULT_CHOICES);
  const [filter, setFilter] = useState<Filter>("all");
  const [limit, setLimit] = useState(PAGE);
  const [list, setList] = useState<JobListResponse>();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [opened, setOpened] = useState<JobInfo>();
  const [error, setError] = useState<unknown>();
  const [refresh, setRefresh] = useState(0);
  /** Audio submitted from this page, by job id, so an opened result plays with its words highlighted. */
  const audio = useRef(new Map<string, { url: string; name: string }>());
  const uploadCount = useRef(0);

  useEffect(
    () => () => {
      for (const { url } of audio.current.values()) URL.revokeObjectURL(url);
    },
    [],
  );

  // Poll: every second while a job is queued or running (or a file is uploading), every five otherwise.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const controller = new AbortController();
    const poll = async () => {
      let active = uploads.length > 0;
      try {
        const page = await client.jobs.list(
          { limit, ...(filter === "all" ? {} : { status: filter }) },
          { signal: controller.signal, maxRetries: 0 },
        );
        setList(page);
        setError(undefined);
        active ||= page.jobs.some(isActive);
      } catch (failure) {
        if (stopped) return;
        if (!unauthorised(failure)) setError(failure);
      }
      if (!stopped) timer = setTimeout(poll, active ? POLL_ACTIVE_MS : POLL_IDLE_MS);
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [client, filter, limit, uploads.length, refresh, unauthorised]);

  const submit = (files: File[]) => {
    const options: ListenOptionsInput = toListenOptions(choices);
    for (const file of files) {
      const upload = { id: uploadCount.current++, name: file.name };
      setUploads((list) => [...list, upload]);
      client.jobs
        .submit(file, { ...options, extra: [`filename:${file.name}`] })
        .then((job) => {
          audio.current.set(job.id, { url: URL.createObjectURL(file), name: file.name });
          setUploads((list) => list.filter((u) => u.id !== upload.id));
          setRefresh((n) => n + 1);
        })
        .catch((failure: unknown) => {
          if (unauthorised(failure)) return;
          setUploads((list) => list.map((u) => (u.id === upload.id ? { ...u, error: failure } : u)));
        });
    }
  };

  const open = async (id: string) => {
    try {
      setOpened(await client.jobs.get(id));
    } catch (failure) {
      if (!unauthorised(failure)) setError(failure);
    }
  };

  const remove = async (job: Summary) => {
    try {
      await client.jobs.cancel(job.request_id);
      if (opened?.request_id === job.request_id) setOpened(undefined);
      setRefresh((n) => n + 1);
    } catch (failure) {
      if (!unauthorised(failure)) setError(failure);
    }
  };

  const openedAudio = opened ? audio.current.get(opened.request_id) : undefined;
  return (
    <div class="view jobs">
      <p class="lede">
        Submit files to run in the background; they survive a reload of this page and a restart of the server.
      </p>
      <div class="two-columns">
        <div class="stack">
          <DropZone onFiles={submit} multiple>
            <strong>Choose audio files</strong>
            <span>or drop several here: each becomes a job</span>
          </DropZone>
          <ListenOptionsForm choices={choices} onChange={setChoices} models={models} />
          {uploads.length > 0 && (
            <ul class="uploads" aria-label="Uploads">
              {uploads.map((u) => (
                <li key={u.id}>
                  {u.name}: {u.error ? <span class="bad">{describeError(u.error).message}</span> : "uploading…"}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="stack result">
          <fieldset class="filters">
            <legend>Show</legend>
            {FILTERS.map((f) => (
              <label key={f.value} class={filter === f.value ? "chip on" : "chip"}>
                <input
                  type="radio"
                  name="job-filter"
                  class="visually-hidden"
                  checked={filter === f.value}
                  onChange={() => {
                    setFilter(f.value);
                    setLimit(PAGE);
                  }}
                />
                {f.label}
              </label>
            ))}
          </fieldset>
          <ErrorMessage error={error} />
          {list && list.jobs.length === 0 && <p class="muted">No jobs{filter === "all" ? " yet" : ` ${filter}`}.</p>}
          <ul class="job-list" aria-label="Jobs">
            {list?.jobs.map((job) => (
              <JobRow
                key={job.request_id}
                job={job}
                name={fileName(job) ?? audio.current.get(job.request_id)?.name}
                opened={opened?.request_id === job.request_id}
                onOpen={() => open(job.request_id)}
                onRemove={() => remove(job)}
              />
            ))}
          </ul>
          {list && list.next_offset !== null && (
            <button type="button" onClick={() => setLimit((n) => n + PAGE)}>
              Show more ({list.total - list.jobs.length} left)
            </button>
          )}
          {opened?.result && (
            <div class="opened">
              <div class="opened-head">
                <h2 class="small-heading">{fileName(opened) ?? opened.request_id}</h2>
                <button type="button" class="link" onClick={() => setOpened(undefined)}>
                  Close
                </button>
              </div>
              <Transcript
                response={opened.result}
                audioUrl={openedAudio?.url}
                name={fileName(opened) ?? opened.request_id}
              />
            </div>
          )}
        </div>
      </div>
    </div>
  );
}

function JobRow(props: {
  job: Summary;
  name: string | undefined;
  opened: boolean;
  onOpen: () => void;
  onRemove: () => void;
}) {
  const { job } = props;
  const label = props.name ?? job.request_id.slice(0, 8);
  const active = isActive(job);
  return (
    <li class={`job ${job.status}${props.opened ? " opened" : ""}`}>
      <div class="job-head">
        <span class="job-name" title={job.request_id}>
          {label}
        </span>
        <span class={`badge ${job.status}`}>{job.status === "error" ? "failed" : job.status}</span>
      </div>
      <progress max={1} value={job.progress} aria-label={`${label} progress`} />
      <div class="job-foot">
        <small class="muted">
          {dateTime(job.created_at)}
          {job.source.size !== null && ` · ${bytes(job.source.size)}`}
          {active && ` · ${percent(job.progress)}`}
          {job.status === "error" && job.error && ` · ${job.error.err_msg}`}
        </small>
        <span class="job-actions">
          {job.status === "done" && (
            <button type="button" class="small" onClick={props.onOpen} aria-label={`Open ${label}`}>
              Open
            </button>
          )}
          <button
            type="button"
            class="small"
            onClick={props.onRemove}
            aria-label={`${active ? "Cancel" : "Delete"} ${label}`}
          >
            {active ? "Cancel" : "Delete"}
          </button>
        </span>
      </div>
    </li>
  );
}
