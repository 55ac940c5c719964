/**
 * The request log and usage reports of a project, in Deepgram's shapes: `/v1/projects/{id}/requests` (filters,
 * pages), `/requests/{request_id}`, `/usage` (per day), `/usage/breakdown` (per group) and `/usage/fields`.
 */
import type { ModelRegistry } from "@earshot/engine";
import {
  NotFoundError,
  parseQuery,
  RequestListQuerySchema,
  type RequestListResponse,
  RequestListResponseSchema,
  type RequestResponse,
  RequestResponseSchema,
  type UsageBreakdownResponse,
  UsageBreakdownResponseSchema,
  UsageFieldsQuerySchema,
  type UsageFieldsResponse,
  UsageFieldsResponseSchema,
  UsageQuerySchema,
  type UsageResponse,
  UsageResponseSchema,
} from "@earshot/protocol";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Accounts } from "../accounts/service.js";
import {
  entryOf,
  filterRequests,
  filterUsage,
  pageOf,
  usageBreakdown,
  usageFields,
  usageSummary,
  windowOf,
} from "../usage/report.js";
import type { RequestLog } from "../usage/request-log.js";
import { ProjectParamsSchema, projectOf } from "./manage.js";

const TAG = "Usage";
const DEFAULT_LIMIT = 10;

export function usageRoutes(
  app: FastifyInstance,
  deps: { accounts: Accounts; log: RequestLog; registry: ModelRegistry },
): void {
  const { accounts, log } = deps;
  app.get(
    "/v1/projects/:project_id/requests",
    {
      config: {
        scope: "usage:read",
        docs: {
          tag: TAG,
          summary: "The request log: newest first, filtered and paged",
          params: ProjectParamsSchema,
          query: RequestListQuerySchema,
          responses: { 200: RequestListResponseSchema },
        },
      },
    },
    async (request): Promise<RequestListResponse> => {
      const project = await projectOf(request, accounts);
      const query = parseQuery(RequestListQuerySchema, request.query as Record<string, unknown>);
      const window = windowOf(query);
      const page = query.page ?? 0;
      const limit = query.limit ?? DEFAULT_LIMIT;
      const records = filterRequests(await log.range(project.id, window.start, window.end), query);
      return { page, limit, requests: pageOf(records, page, limit).map(entryOf) };
    },
  );

  const RequestParamsSchema = ProjectParamsSchema.extend({ request_id: z.string() });
  app.get<{ Params: z.infer<typeof RequestParamsSchema> }>(
    "/v1/projects/:project_id/requests/:request_id",
    {
      config: {
        scope: "usage:read",
        docs: {
          tag: TAG,
          summary: "One request of the log",
          params: RequestParamsSchema,
          responses: { 200: RequestResponseSchema },
        },
      },
    },
    async (request): Promise<RequestResponse> => {
      const project = await projectOf(request, accounts);
      const record = await log.get(request.params.request_id);
      if (!record || record.projectId !== project.id) {
        throw new NotFoundError(`No request ${request.params.request_id} in project ${project.id}'s log.`);
      }
      return { request: entryOf(record) };
    },
  );

  const usageOf = async (projectId: string, query: Record<string, unknown>) => {
    const parsed = parseQuery(UsageQuerySchema, query);
    const window = windowOf(parsed);
    return { parsed, window, records: filterUsage(await log.range(projectId, window.start, window.end), parsed) };
  };

  app.get(
    "/v1/projects/:project_id/usage",
    {
      config: {
        scope: "usage:read",
        docs: {
          tag: TAG,
          summary: "Usage per day: hours of audio, characters synthesised, requests",
          description:
            "Feature flags (`diarize=true`, …) keep the requests that used the feature; the window defaults to the last seven days.",
          params: ProjectParamsSchema,
          query: UsageQuerySchema,
          responses: { 200: UsageResponseSchema },
        },
      },
    },
    async (request): Promise<UsageResponse> => {
      const project = await projectOf(request, accounts);
      const { window, records } = await usageOf(project.id, request.query as Record<string, unknown>);
      return usageSummary(records, window);
    },
  );

  app.get(
    "/v1/projects/:project_id/usage/breakdown",
    {
      config: {
        scope: "usage:read",
        docs: {
          tag: TAG,
          summary: "Usage over the window, grouped by key, endpoint, features, models, method, tags",
          params: ProjectParamsSchema,
          query: UsageQuerySchema,
          responses: { 200: UsageBreakdownResponseSchema },
        },
      },
    },
    async (request): Promise<UsageBreakdownResponse> => {
      const project = await projectOf(request, accounts);
      const { parsed, window, records } = await usageOf(project.id, request.query as Record<string, unknown>);
      return usageBreakdown(records, window, parsed.grouping ?? []);
    },
  );

  app.get(
    "/v1/projects/:project_id/usage/fields",
    {
      config: {
        scope: "usage:read",
        docs: {
          tag: TAG,
          summary: "The tags, models, methods and features seen in the window",
          params: ProjectParamsSchema,
          query: UsageFieldsQuerySchema,
          responses: { 200: UsageFieldsResponseSchema },
        },
      },
    },
    async (request): Promise<UsageFieldsResponse> => {
      const project = await projectOf(request, accounts);
      const query = parseQuery(UsageFieldsQuerySchema, request.query as Record<string, unknown>);
      const window = windowOf(query);
      const installed = [...deps.registry.stt(), ...deps.registry.tts()];
      return usageFields(await log.range(project.id, window.start, window.end), (name) => {
        const model = installed.find((m) => m.name === name);
        return {
          name,
          language: model?.languages[0] ?? "",
          version: model?.version ?? "",
          model_id: model?.uuid ?? "",
        };
      });
    },
  );
}
