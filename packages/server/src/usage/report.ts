/**
 * The request log read in Deepgram's shapes: the request list with its filters and pages, and usage summed per
 * day, per group (breakdown) and the values seen (fields). Both stores hand over one project's records for a
 * time window; filtering and summing happen here once.
 */
import type {
  RequestListQuery,
  RequestLogEntry,
  UsageBreakdownResponse,
  UsageFieldsResponse,
  UsageGrouping,
  UsageQuery,
  UsageResponse,
} from "@earshot/protocol";
import { round3 } from "../round.js";
import type { RequestRecord } from "./request-log.js";

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_DAYS = 7;

export interface Window {
  start: number;
  end: number;
}

const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `start`/`end` as epoch ms: a bare date is its whole day (UTC); the default is the last seven days. */
export function windowOf(query: { start?: string | undefined; end?: string | undefined }, now = Date.now()): Window {
  const end = query.end ? (isDate(query.end) ? Date.parse(query.end) + DAY_MS - 1 : Date.parse(query.end)) : now;
  const start = query.start ? Date.parse(query.start) : Date.parse(dayOf(end - (DEFAULT_DAYS - 1) * DAY_MS));
  return { start, end };
}

export function entryOf(record: RequestRecord): RequestLogEntry {
  const code = record.code;
  return {
    request_id: record.requestId,
    project_uuid: record.projectId,
    created: new Date(record.created).toISOString(),
    path: record.path,
    api_key_id: record.apiKeyId,
    endpoint: record.endpoint,
    response: {
      details: {
        usd: 0,
        duration: round3(record.durationMs / 1000),
        total_audio: record.audioSeconds === null ? null : round3(record.audioSeconds),
        channels: record.channels,
        streams: record.method === "streaming" ? 1 : 0,
        tts_characters: record.characters,
        models: record.models,
        method: record.method,
        tags: record.tags,
        features: record.features,
      },
      code,
      completed: record.completed === null ? null : new Date(record.completed).toISOString(),
    },
    code,
    deployment: "self-hosted",
    callback: record.callback,
  };
}

const succeeded = (record: RequestRecord): boolean => record.code < 400;

export function filterRequests(records: RequestRecord[], query: RequestListQuery): RequestRecord[] {
  return records.filter(
    (r) =>
      (query.accessor === undefined || r.apiKeyId === query.accessor) &&
      (query.request_id === undefined || r.requestId === query.request_id) &&
      (query.deployment === undefined || query.deployment === "self-hosted") &&
      (query.endpoint === undefined || r.endpoint === query.endpoint) &&
      (query.method === undefined || r.method === query.method) &&
      (query.status === undefined || (query.status === "succeeded") === succeeded(r)),
  );
}

/** Query parameters of the usage routes that are not feature flags. */
const USAGE_PARAMS = new Set([
  "start",
  "end",
  "accessor",
  "tag",
  "model",
  "endpoint",
  "method",
  "deployment",
  "grouping",
]);

const truthy = (value: unknown): boolean =>
  value === true || value === "true" || (Array.isArray(value) && value.at(-1) === "true");

export function filterUsage(records: RequestRecord[], query: UsageQuery): RequestRecord[] {
  const features = Object.entries(query)
    .filter(([name, value]) => !USAGE_PARAMS.has(name) && truthy(value))
    .map(([name]) => name);
  return records.filter(
    (r) =>
      (query.accessor === undefined || r.apiKeyId === query.accessor) &&
      (query.model === undefined || r.models.includes(query.model)) &&
      (query.endpoint === undefined || r.endpoint === query.endpoint) &&
      (query.method === undefined || r.method === query.method) &&
      (query.deployment === undefined || query.deployment === "self-hosted") &&
      (query.tag === undefined || query.tag.some((tag) => r.tags.includes(tag))) &&
      features.every((feature) => r.features.includes(feature)),
  );
}

interface Totals {
  hours: number;
  total_hours: number;
  agent_hours: number;
  tokens_in: number;
  tokens_out: number;
  tts_characters: number;
  requests: number;
}

function totalsOf(records: RequestRecord[]): Totals {
  const seconds = records.reduce((sum, r) => sum + (r.audioSeconds ?? 0), 0);
  const hours = Math.round((seconds / 3600) * 1e6) / 1e6;
  return {
    hours,
    total_hours: hours,
    agent_hours: 0,
    tokens_in: 0,
    tokens_out: 0,
    tts_characters: records.reduce((sum, r) => sum + (r.characters ?? 0), 0),
    requests: records.length,
  };
}

const resolution = { units: "day", amount: 1 } as const;

export function usageSummary(records: RequestRecord[], window: Window): UsageResponse {
  const results: UsageResponse["results"] = [];
  for (let day = Date.parse(dayOf(window.start)); day <= window.end; day += DAY_MS) {
    const inDay = records.filter((r) => r.created >= day && r.created < day + DAY_MS);
    results.push({ start: dayOf(day), end: dayOf(day), ...totalsOf(inDay) });
  }
  return { start: dayOf(window.start), end: dayOf(window.end), resolution, results };
}

type Grouping = UsageBreakdownResponse["results"][number]["grouping"];

function groupOf(record: RequestRecord, groupings: UsageGrouping[]): Omit<Grouping, "start" | "end"> {
  const group: Omit<Grouping, "start" | "end"> = {};
  for (const grouping of groupings) {
    if (grouping === "accessor") group.accessor = record.apiKeyId;
    else if (grouping === "endpoint") group.endpoint = record.endpoint;
    else if (grouping === "feature_set") group.feature_set = [...record.features].sort().join(",");
    else if (grouping === "models") group.models = [...record.models].sort();
    else if (grouping === "method") group.method = record.method;
    else if (grouping === "tags") group.tags = [...record.tags].sort();
    else group.deployment = "self-hosted";
  }
  return group;
}

/** Totals per combination of the `grouping` values over the whole window (one result without a grouping). */
export function usageBreakdown(
  records: RequestRecord[],
  window: Window,
  groupings: UsageGrouping[],
): UsageBreakdownResponse {
  const groups = new Map<string, { group: Omit<Grouping, "start" | "end">; records: RequestRecord[] }>();
  for (const record of records) {
    const group = groupOf(record, groupings);
    const key = JSON.stringify(group);
    const entry = groups.get(key) ?? { group, records: [] };
    entry.records.push(record);
    groups.set(key, entry);
  }
  if (groups.size === 0) groups.set("{}", { group: {}, records: [] });
  const start = dayOf(window.start);
  const end = dayOf(window.end);
  return {
    start,
    end,
    resolution,
    results: [...groups.values()].map(({ group, records: inGroup }) => ({
      ...totalsOf(inGroup),
      grouping: { start, end, ...group },
    })),
  };
}

/** The values seen in the window; `models` as the caller describes each model name. */
export function usageFields(
  records: RequestRecord[],
  describeModel: (name: string) => UsageFieldsResponse["models"][number],
): UsageFieldsResponse {
  const unique = (values: string[]) => [...new Set(values)].sort();
  return {
    tags: unique(records.flatMap((r) => r.tags)),
    models: unique(records.flatMap((r) => r.models)).map(describeModel),
    processing_methods: unique(records.map((r) => r.method)),
    features: unique(records.flatMap((r) => r.features)),
  };
}

/** One page (`page` from 0) of `limit` records. */
export function pageOf<T>(items: T[], page: number, limit: number): T[] {
  return items.slice(page * limit, (page + 1) * limit);
}
