/**
 * Deepgram's management API as Earshot serves it: projects, their members, API keys with scopes and expiry,
 * the request log and usage reports (`/v1/projects/…`). Field names and envelopes are Deepgram's, so the
 * official SDKs' `manage.v1.projects…` calls read them unchanged.
 */
import { z } from "zod";
import { queryInt, queryList, queryString } from "./query.js";

/**
 * What a key or a member may do. Fine-grained scopes name one ability; the roles `member`, `admin` and
 * `owner` stand for a set of them (see {@link ROLE_SCOPES}). Deepgram's own names where it has them:
 * `usage:write` is the right to use the speech APIs.
 */
export const FINE_SCOPES = [
  /** Use the speech APIs: listen, speak, read, jobs, and grant tokens for them. */
  "usage:write",
  /** Read the request log and usage reports. */
  "usage:read",
  "project:read",
  /** Rename the project. */
  "project:write",
  /** Delete the project with its keys and log. */
  "project:delete",
  "keys:read",
  "keys:write",
  "members:read",
  /** Change members' roles and remove members. */
  "members:write",
] as const;
export type FineScope = (typeof FINE_SCOPES)[number];

export const ROLES = ["member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

const MEMBER_SCOPES: FineScope[] = ["usage:write", "usage:read", "project:read", "keys:read", "members:read"];
const ADMIN_SCOPES: FineScope[] = [...MEMBER_SCOPES, "keys:write", "members:write", "project:write"];

/** The fine scopes each role grants: a member uses the APIs and reads, an admin also manages, an owner deletes. */
export const ROLE_SCOPES: Record<Role, readonly FineScope[]> = {
  member: MEMBER_SCOPES,
  admin: ADMIN_SCOPES,
  owner: [...ADMIN_SCOPES, "project:delete"],
};

export const SCOPES = [...ROLES, ...FINE_SCOPES] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

/** The fine scopes a list of scopes and roles amounts to. */
export function expandScopes(scopes: readonly string[]): Set<FineScope> {
  const expanded = new Set<FineScope>();
  for (const scope of scopes) {
    if ((ROLES as readonly string[]).includes(scope)) for (const s of ROLE_SCOPES[scope as Role]) expanded.add(s);
    else if ((FINE_SCOPES as readonly string[]).includes(scope)) expanded.add(scope as FineScope);
  }
  return expanded;
}

/** Every management reply that only confirms: `{"message": "…"}`. */
export const MessageResponseSchema = z.object({ message: z.string() });
export type MessageResponse = z.infer<typeof MessageResponseSchema>;

// Projects

export const ProjectSchema = z.object({
  project_id: z.string(),
  name: z.string(),
  /** Deepgram's Model Improvement Program opt-out; nothing leaves an Earshot server, so always true. */
  mip_opt_out: z.boolean(),
});
export type Project = z.infer<typeof ProjectSchema>;

export const ProjectListResponseSchema = z.object({
  projects: z.array(ProjectSchema.pick({ project_id: true, name: true })),
});
export type ProjectListResponse = z.infer<typeof ProjectListResponseSchema>;

export const UpdateProjectRequestSchema = z.object({ name: z.string().trim().min(1).max(200) });
export type UpdateProjectRequest = z.infer<typeof UpdateProjectRequestSchema>;

// Keys

/** `POST /v1/projects/{id}/keys`: at most one of `expiration_date` and `time_to_live_in_seconds`. */
export const CreateKeyRequestSchema = z
  .object({
    comment: z.string().trim().min(1).max(500),
    scopes: z.array(ScopeSchema).min(1),
    tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    expiration_date: z.iso.datetime({ offset: true }).optional(),
    time_to_live_in_seconds: z.number().int().min(1).optional(),
  })
  .refine((body) => body.expiration_date === undefined || body.time_to_live_in_seconds === undefined, {
    message: "give expiration_date or time_to_live_in_seconds, not both",
  });
export type CreateKeyRequest = z.infer<typeof CreateKeyRequestSchema>;

/** The one time the secret is shown: `key`. */
export const CreateKeyResponseSchema = z.object({
  api_key_id: z.string(),
  key: z.string(),
  comment: z.string(),
  scopes: z.array(z.string()),
  tags: z.array(z.string()),
  /** ISO-8601, null for a key that does not expire. */
  expiration_date: z.string().nullable(),
});
export type CreateKeyResponse = z.infer<typeof CreateKeyResponseSchema>;

export const ApiKeySchema = z.object({
  api_key_id: z.string(),
  comment: z.string(),
  scopes: z.array(z.string()),
  tags: z.array(z.string()),
  expiration_date: z.string().nullable(),
  created: z.string(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

export const KeyMemberSchema = z.object({ member_id: z.string(), email: z.string() });

export const KeyListResponseSchema = z.object({
  api_keys: z.array(z.object({ member: KeyMemberSchema, api_key: ApiKeySchema })),
});
export type KeyListResponse = z.infer<typeof KeyListResponseSchema>;

export const KeyListQuerySchema = z.object({ status: z.enum(["active", "expired"]).optional() });

export const KeyResponseSchema = z.object({
  item: z.object({
    member: KeyMemberSchema.extend({
      first_name: z.string(),
      last_name: z.string(),
      api_key: ApiKeySchema,
    }),
  }),
});
export type KeyResponse = z.infer<typeof KeyResponseSchema>;

// Members

export const MemberSchema = z.object({
  member_id: z.string(),
  email: z.string(),
  first_name: z.string(),
  last_name: z.string(),
  scopes: z.array(z.string()),
});
export type Member = z.infer<typeof MemberSchema>;

export const MemberListResponseSchema = z.object({ members: z.array(MemberSchema) });
export type MemberListResponse = z.infer<typeof MemberListResponseSchema>;

export const MemberScopesResponseSchema = z.object({ scopes: z.array(z.string()) });
export type MemberScopesResponse = z.infer<typeof MemberScopesResponseSchema>;

/** `PUT …/members/{id}/scopes`: the member's role. */
export const UpdateMemberScopeRequestSchema = z.object({ scope: z.enum(ROLES) });
export type UpdateMemberScopeRequest = z.infer<typeof UpdateMemberScopeRequestSchema>;

// Request log

export const REQUEST_ENDPOINTS = ["listen", "speak", "read", "agent"] as const;
export const REQUEST_METHODS = ["sync", "async", "streaming"] as const;
export type RequestMethod = (typeof REQUEST_METHODS)[number];

/** A date (`2025-01-31`) or a date-time; a bare date is that day's start in UTC. */
const DateQuery = queryString.pipe(
  z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "a date (YYYY-MM-DD) or an ISO-8601 date-time" }),
);

/** What Deepgram reports of one request under `response.details`; never audio or transcript text. */
export const RequestDetailsSchema = z.object({
  usd: z.number(),
  /** Seconds the server spent on the request (the stream's life for a live stream). */
  duration: z.number(),
  /** Seconds of audio processed, null while an async request runs. */
  total_audio: z.number().nullable(),
  channels: z.number().int().nullable(),
  streams: z.number().int(),
  /** Characters synthesised (speak). */
  tts_characters: z.number().int().nullable(),
  models: z.array(z.string()),
  method: z.enum(REQUEST_METHODS),
  tags: z.array(z.string()),
  features: z.array(z.string()),
});
export type RequestDetails = z.infer<typeof RequestDetailsSchema>;

export const RequestLogEntrySchema = z.object({
  request_id: z.string(),
  project_uuid: z.string(),
  created: z.string(),
  path: z.string(),
  api_key_id: z.string(),
  /** Earshot's API family of the request: Deepgram's `listen`, `speak`, `read`, `agent`, or another. */
  endpoint: z.string(),
  response: z.object({
    details: RequestDetailsSchema,
    code: z.number().int(),
    /** When the result was ready: the response for sync requests, the job's end for async ones. */
    completed: z.string().nullable(),
  }),
  code: z.number().int(),
  deployment: z.literal("self-hosted"),
  /** The callback URL of an async request. */
  callback: z.string().nullable(),
});
export type RequestLogEntry = z.infer<typeof RequestLogEntrySchema>;

export const RequestListQuerySchema = z.object({
  start: DateQuery.optional(),
  end: DateQuery.optional(),
  limit: queryInt.pipe(z.number().min(1).max(1000)).optional(),
  page: queryInt.pipe(z.number().min(0)).optional(),
  /** An API key id. */
  accessor: queryString.optional(),
  request_id: queryString.optional(),
  deployment: queryString.optional(),
  endpoint: queryString.optional(),
  method: queryString.pipe(z.enum(REQUEST_METHODS)).optional(),
  status: queryString.pipe(z.enum(["succeeded", "failed"])).optional(),
});
export type RequestListQuery = z.output<typeof RequestListQuerySchema>;

export const RequestListResponseSchema = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  requests: z.array(RequestLogEntrySchema),
});
export type RequestListResponse = z.infer<typeof RequestListResponseSchema>;

export const RequestResponseSchema = z.object({ request: RequestLogEntrySchema });
export type RequestResponse = z.infer<typeof RequestResponseSchema>;

// Usage

export const USAGE_GROUPINGS = [
  "accessor",
  "endpoint",
  "feature_set",
  "models",
  "method",
  "tags",
  "deployment",
] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

/**
 * `GET …/usage` and `…/usage/breakdown` filters. Deepgram's per-feature flags (`diarize=true`, …) keep the
 * requests that used that feature; any other flag is ignored, as Deepgram's clients send many.
 */
export const UsageQuerySchema = z.looseObject({
  start: DateQuery.optional(),
  end: DateQuery.optional(),
  accessor: queryString.optional(),
  tag: queryList.optional(),
  model: queryString.optional(),
  endpoint: queryString.optional(),
  method: queryString.pipe(z.enum(REQUEST_METHODS)).optional(),
  deployment: queryString.optional(),
  grouping: queryList.pipe(z.array(z.enum(USAGE_GROUPINGS))).optional(),
});
export type UsageQuery = z.output<typeof UsageQuerySchema>;

export const UsageResolutionSchema = z.object({ units: z.literal("day"), amount: z.literal(1) });

const UsageTotalsSchema = z.object({
  /** Hours of audio processed. */
  hours: z.number(),
  total_hours: z.number(),
  agent_hours: z.number(),
  tokens_in: z.number(),
  tokens_out: z.number(),
  tts_characters: z.number(),
  requests: z.number().int(),
});

/** `GET …/usage`: the window, and (as Deepgram's earlier API did) one total per day in it. */
export const UsageResponseSchema = z.object({
  start: z.string(),
  end: z.string(),
  resolution: UsageResolutionSchema,
  results: z.array(UsageTotalsSchema.extend({ start: z.string(), end: z.string() })),
});
export type UsageResponse = z.infer<typeof UsageResponseSchema>;

export const UsageBreakdownResponseSchema = z.object({
  start: z.string(),
  end: z.string(),
  resolution: UsageResolutionSchema,
  results: z.array(
    UsageTotalsSchema.extend({
      grouping: z.object({
        start: z.string(),
        end: z.string(),
        accessor: z.string().optional(),
        endpoint: z.string().optional(),
        feature_set: z.string().optional(),
        models: z.array(z.string()).optional(),
        method: z.string().optional(),
        tags: z.array(z.string()).optional(),
        deployment: z.string().optional(),
      }),
    }),
  ),
});
export type UsageBreakdownResponse = z.infer<typeof UsageBreakdownResponseSchema>;

export const UsageFieldsQuerySchema = z.object({ start: DateQuery.optional(), end: DateQuery.optional() });

export const UsageFieldsResponseSchema = z.object({
  tags: z.array(z.string()),
  models: z.array(z.object({ name: z.string(), language: z.string(), version: z.string(), model_id: z.string() })),
  processing_methods: z.array(z.string()),
  features: z.array(z.string()),
});
export type UsageFieldsResponse = z.infer<typeof UsageFieldsResponseSchema>;
