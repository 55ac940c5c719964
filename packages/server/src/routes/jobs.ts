/** Earshot's native job API, `/v1/jobs`: submit audio or a URL with `/v1/listen` options, then poll or delete. */
import {
  type Job,
  type JobAcceptedResponse,
  JobAcceptedResponseSchema,
  type JobDeletedResponse,
  JobDeletedResponseSchema,
  JobListQuerySchema,
  type JobListResponse,
  JobListResponseSchema,
  JobSchema,
  ListenOptionsSchema,
  parseQuery,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { jobView } from "../jobs/record.js";
import { type JobService, ownerOf } from "../jobs/service.js";
import { parseListenRequest } from "../listen/request.js";
import { noteUsage } from "../usage/telemetry.js";
import { AUDIO_BODY } from "./listen.js";

const TAG = "Jobs";
const JobParamsSchema = z.object({ id: z.string().describe("The job's id (its request id).") });

/** This server's origin as the client reached it, for the absolute URLs clients follow. */
export const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

export function jobRoutes(app: FastifyInstance, jobs: JobService): void {
  app.post(
    "/v1/jobs",
    {
      config: {
        docs: {
          tag: TAG,
          summary: "Submit audio (or a URL) as a job",
          query: ListenOptionsSchema,
          body: AUDIO_BODY,
          responses: { 202: JobAcceptedResponseSchema },
        },
      },
    },
    async (request, reply): Promise<JobAcceptedResponse> => {
      noteUsage(request, { method: "async" });
      const job = await jobs.submit({
        id: request.id,
        kind: "jobs",
        owner: ownerOf(request.principal),
        listen: parseListenRequest(request.query, request.body),
      });
      reply.status(202);
      return { request_id: job.id, status_url: `${originOf(request)}/v1/jobs/${job.id}` };
    },
  );

  app.get(
    "/v1/jobs",
    {
      config: {
        docs: {
          tag: TAG,
          summary: "List jobs, newest first",
          query: JobListQuerySchema,
          responses: { 200: JobListResponseSchema },
        },
      },
    },
    async (request): Promise<JobListResponse> => {
      const query = parseQuery(JobListQuerySchema, request.query as Record<string, unknown>);
      const { jobs: page, total } = await jobs.list({
        statuses: query.status,
        limit: query.limit,
        offset: query.offset,
        projectId: request.principal?.projectId,
      });
      const next = query.offset + page.length;
      return {
        jobs: page.map((job) => jobView(job, false)),
        total,
        limit: query.limit,
        offset: query.offset,
        next_offset: next < total && page.length > 0 ? next : null,
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/jobs/:id",
    {
      config: {
        docs: {
          tag: TAG,
          summary: "A job, with its result once done",
          params: JobParamsSchema,
          responses: { 200: JobSchema },
        },
      },
    },
    async (request): Promise<Job> => jobView(await jobs.get(request.params.id, request.principal)),
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/jobs/:id",
    {
      config: {
        // Deleting is housekeeping, not usage.
        endpoint: false,
        docs: {
          tag: TAG,
          summary: "Cancel a job, or delete a finished one with its audio and result",
          params: JobParamsSchema,
          responses: { 200: JobDeletedResponseSchema },
        },
      },
    },
    async (request): Promise<JobDeletedResponse> => {
      const previous = await jobs.delete(request.params.id, request.principal);
      return { request_id: request.params.id, deleted: true, previous_status: previous };
    },
  );
}
