/**
 * The management API, at the same paths in the client tree as Deepgram's v5 SDK: `manage.v1.projects` with
 * `keys`, `members` (and their `scopes`), `models`, `requests` and `usage` (with `breakdown` and `fields`).
 * Method names and argument order are Deepgram's, so code written against one runs against the other.
 *
 * @example
 * const { projects } = await client.manage.v1.projects.list();
 * const projectId = projects[0].project_id;
 * const { key } = await client.manage.v1.projects.keys.create(projectId, { comment: "ci", scopes: ["member"] });
 * const usage = await client.manage.v1.projects.usage.get(projectId, { start: "2025-01-01" });
 */
import type {
  CreateKeyRequest,
  CreateKeyResponse,
  KeyListResponse,
  KeyResponse,
  MemberListResponse,
  MemberScopesResponse,
  MessageResponse,
  ModelList,
  Project,
  ProjectListResponse,
  RequestListResponse,
  RequestMethod,
  RequestResponse,
  Role,
  SttModel,
  TtsModel,
  UpdateProjectRequest,
  UsageBreakdownResponse,
  UsageFieldsResponse,
  UsageGrouping,
  UsageResponse,
} from "@earshot/protocol";
import { toQuery } from "@earshot/protocol/core";
import type { APIPromise } from "../core/api-promise.js";
import type { RequestOptions, Transport } from "../core/request.js";

/** A date (`2025-01-31`) or an ISO-8601 date-time. */
type DateParam = string;

export interface KeyListParams {
  status?: "active" | "expired";
}

export interface RequestListParams {
  start?: DateParam;
  end?: DateParam;
  /** Per page, 1 to 1000. @default 10 */
  limit?: number;
  /** From 0. */
  page?: number;
  /** An API key id. */
  accessor?: string;
  request_id?: string;
  deployment?: "hosted" | "beta" | "self-hosted";
  endpoint?: string;
  method?: RequestMethod;
  status?: "succeeded" | "failed";
}

export interface UsageParams {
  start?: DateParam;
  end?: DateParam;
  accessor?: string;
  tag?: string | string[];
  model?: string;
  endpoint?: string;
  method?: RequestMethod;
  deployment?: "hosted" | "beta" | "self-hosted";
  /** Feature flags (`diarize: true`, …) keep the requests that used the feature. */
  [feature: string]: string | string[] | number | boolean | undefined;
}

export interface UsageBreakdownParams extends UsageParams {
  grouping?: UsageGrouping | UsageGrouping[];
}

export interface UsageFieldsParams {
  start?: DateParam;
  end?: DateParam;
}

const projectPath = (projectId: string, ...rest: string[]): string =>
  ["/v1/projects", projectId, ...rest].map((part, i) => (i === 0 ? part : encodeURIComponent(part))).join("/");

const jsonBody = (body: unknown) => ({
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

export class Keys {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The project's keys, never their secrets; `status` keeps the active or the expired ones. */
  list(projectId: string, params: KeyListParams = {}, requestOptions?: RequestOptions): APIPromise<KeyListResponse> {
    return this.#transport.json(
      { method: "GET", path: projectPath(projectId, "keys"), query: toQuery(params) },
      requestOptions,
    );
  }

  /** A new key; its secret (`key`) is in this answer only. */
  create(projectId: string, request: CreateKeyRequest, requestOptions?: RequestOptions): APIPromise<CreateKeyResponse> {
    return this.#transport.json(
      { method: "POST", path: projectPath(projectId, "keys"), ...jsonBody(request) },
      requestOptions,
    );
  }

  get(projectId: string, keyId: string, requestOptions?: RequestOptions): APIPromise<KeyResponse> {
    return this.#transport.json({ method: "GET", path: projectPath(projectId, "keys", keyId) }, requestOptions);
  }

  /** The key stops working at once, with the access tokens it granted. */
  delete(projectId: string, keyId: string, requestOptions?: RequestOptions): APIPromise<MessageResponse> {
    return this.#transport.json({ method: "DELETE", path: projectPath(projectId, "keys", keyId) }, requestOptions);
  }
}

export class Scopes {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  list(projectId: string, memberId: string, requestOptions?: RequestOptions): APIPromise<MemberScopesResponse> {
    return this.#transport.json(
      { method: "GET", path: projectPath(projectId, "members", memberId, "scopes") },
      requestOptions,
    );
  }

  /** Sets the member's role; their keys narrow (or widen, up to their own scopes) with it at once. */
  update(
    projectId: string,
    memberId: string,
    request: { scope: Role },
    requestOptions?: RequestOptions,
  ): APIPromise<MessageResponse> {
    return this.#transport.json(
      { method: "PUT", path: projectPath(projectId, "members", memberId, "scopes"), ...jsonBody(request) },
      requestOptions,
    );
  }
}

export class Members {
  readonly scopes: Scopes;
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.scopes = new Scopes(transport);
  }

  list(projectId: string, requestOptions?: RequestOptions): APIPromise<MemberListResponse> {
    return this.#transport.json({ method: "GET", path: projectPath(projectId, "members") }, requestOptions);
  }

  /** Removes the member from the project, with every key they hold there. */
  delete(projectId: string, memberId: string, requestOptions?: RequestOptions): APIPromise<MessageResponse> {
    return this.#transport.json(
      { method: "DELETE", path: projectPath(projectId, "members", memberId) },
      requestOptions,
    );
  }
}

export class ProjectModels {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  list(projectId: string, requestOptions?: RequestOptions): APIPromise<ModelList> {
    return this.#transport.json({ method: "GET", path: projectPath(projectId, "models") }, requestOptions);
  }

  get(projectId: string, modelId: string, requestOptions?: RequestOptions): APIPromise<SttModel | TtsModel> {
    return this.#transport.json({ method: "GET", path: projectPath(projectId, "models", modelId) }, requestOptions);
  }
}

export class Requests {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The request log, newest first: one page of `limit` (default 10) requests. */
  list(
    projectId: string,
    params: RequestListParams = {},
    requestOptions?: RequestOptions,
  ): APIPromise<RequestListResponse> {
    return this.#transport.json(
      { method: "GET", path: projectPath(projectId, "requests"), query: toQuery(params) },
      requestOptions,
    );
  }

  get(projectId: string, requestId: string, requestOptions?: RequestOptions): APIPromise<RequestResponse> {
    return this.#transport.json({ method: "GET", path: projectPath(projectId, "requests", requestId) }, requestOptions);
  }
}

export class Breakdown {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** Usage over the window, one result per combination of the `grouping` values. */
  get(
    projectId: string,
    params: UsageBreakdownParams = {},
    requestOptions?: RequestOptions,
  ): APIPromise<UsageBreakdownResponse> {
    return this.#transport.json(
      { method: "GET", path: projectPath(projectId, "usage", "breakdown"), query: toQuery(params) },
      requestOptions,
    );
  }
}

export class Fields {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** The tags, models, methods and features seen in the window. */
  list(
    projectId: string,
    params: UsageFieldsParams = {},
    requestOptions?: RequestOptions,
  ): APIPromise<UsageFieldsResponse> {
    return this.#transport.json(
      { method: "GET", path: projectPath(projectId, "usage", "fields"), query: toQuery(params) },
      requestOptions,
    );
  }
}

export class Usage {
  readonly breakdown: Breakdown;
  readonly fields: Fields;
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.breakdown = new Breakdown(transport);
    this.fields = new Fields(transport);
  }

  /** Usage per day in the window (the last seven days by default): hours of audio, characters, requests. */
  get(projectId: string, params: UsageParams = {}, requestOptions?: RequestOptions): APIPromise<UsageResponse> {
    return this.#transport.json(
      { method: "GET", path: projectPath(projectId, "usage"), query: toQuery(params) },
      requestOptions,
    );
  }
}

export class Projects {
  readonly keys: Keys;
  readonly members: Members;
  readonly models: ProjectModels;
  readonly requests: Requests;
  readonly usage: Usage;
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.keys = new Keys(transport);
    this.members = new Members(transport);
    this.models = new ProjectModels(transport);
    this.requests = new Requests(transport);
    this.usage = new Usage(transport);
  }

  /** The projects this key reaches: its own (a key made on the host or from the environment reaches all). */
  list(requestOptions?: RequestOptions): APIPromise<ProjectListResponse> {
    return this.#transport.json({ method: "GET", path: "/v1/projects" }, requestOptions);
  }

  get(projectId: string, requestOptions?: RequestOptions): APIPromise<Project> {
    return this.#transport.json({ method: "GET", path: projectPath(projectId) }, requestOptions);
  }

  update(
    projectId: string,
    request: UpdateProjectRequest,
    requestOptions?: RequestOptions,
  ): APIPromise<MessageResponse> {
    return this.#transport.json(
      { method: "PATCH", path: projectPath(projectId), ...jsonBody(request) },
      requestOptions,
    );
  }

  /** Deletes the project with its keys and members (not the default project). */
  delete(projectId: string, requestOptions?: RequestOptions): APIPromise<MessageResponse> {
    return this.#transport.json({ method: "DELETE", path: projectPath(projectId) }, requestOptions);
  }

  /** Removes the caller's member from the project, with their keys there. */
  leave(projectId: string, requestOptions?: RequestOptions): APIPromise<MessageResponse> {
    return this.#transport.json({ method: "DELETE", path: projectPath(projectId, "leave") }, requestOptions);
  }
}

export class ManageV1 {
  readonly projects: Projects;

  constructor(transport: Transport) {
    this.projects = new Projects(transport);
  }
}

export class Manage {
  readonly v1: ManageV1;

  constructor(transport: Transport) {
    this.v1 = new ManageV1(transport);
  }
}
