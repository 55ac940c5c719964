/** Earshot's native job API, `/v1/jobs`: submit audio or a URL with `/v1/listen` options, then poll or delete. */
import {
  type Job,
  type JobAcceptedResponse,
  type JobDeletedResponse,
  JobListQuerySchema,
  type JobListResponse,
  parseQuery,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { jobView } from "../jobs/record.js";
import type { JobService } from "../jobs/service.js";
import { parseListenRequest } from "../listen/request.js";

/** This server's origin as the client reached it, for the absolute URLs clients follow. */
export const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

export function jobRoutes(app: FastifyInstance, jobs: JobService): void {
  app.post("/v1/jobs", async (request, reply): Promise<JobAcceptedResponse> => {
    const job = await jobs.submit({
      id: request.id,
      kind: "jobs",
      listen: parseListenRequest(request.query, request.body),
    });
    reply.status(202);
    return { request_id: job.id, status_url: `${originOf(request)}/v1/jobs/${job.id}` };
  });

  app.get("/v1/jobs", async (request): Promise<JobListResponse> => {
    const query = parseQuery(JobListQuerySchema, request.query as Record<string, unknown>);
    const { jobs: page, total } = await jobs.list({ statuses: query.status, limit: query.limit, offset: query.offset });
    const next = query.offset + page.length;
    return {
      jobs: page.map((job) => jobView(job, false)),
      total,
      limit: query.limit,
      offset: query.offset,
      next_offset: next < total && page.length > 0 ? next : null,
    };
  });

  app.get<{ Params: { id: string } }>("/v1/jobs/:id", async (request): Promise<Job> => {
    return jobView(await jobs.get(request.params.id));
  });

  app.delete<{ Params: { id: string } }>("/v1/jobs/:id", async (request): Promise<JobDeletedResponse> => {
    const previous = await jobs.delete(request.params.id);
    return { request_id: request.params.id, deleted: true, previous_status: previous };
  });
}
