/**
 * Deepgram's management API: `/v1/projects`, their keys, members and models. A stored key reaches its own
 * project only; environment keys and key-less loopback callers act as the host member, who owns every project.
 * Keys are shown once, at creation; a key can never be given more than its creator holds.
 */

import type { ModelRegistry } from "@earshot/engine";
import {
  CreateKeyRequestSchema,
  type CreateKeyResponse,
  CreateKeyResponseSchema,
  expandScopes,
  InvalidRequestError,
  KeyListQuerySchema,
  type KeyListResponse,
  KeyListResponseSchema,
  type KeyResponse,
  KeyResponseSchema,
  type MemberListResponse,
  MemberListResponseSchema,
  type MemberScopesResponse,
  MemberScopesResponseSchema,
  type MessageResponse,
  MessageResponseSchema,
  ModelsResponseSchema,
  NotFoundError,
  PermissionDeniedError,
  type ProjectListResponse,
  ProjectListResponseSchema,
  ProjectSchema,
  parseQuery,
  UpdateMemberScopeRequestSchema,
  UpdateProjectRequestSchema,
} from "@earshot/protocol";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  isExpired,
  type KeyRecord,
  keyView,
  type MemberRecord,
  memberView,
  type ProjectRecord,
  projectView,
} from "../accounts/records.js";
import { type Accounts, ProjectNotFoundError, scopesBeyond } from "../accounts/service.js";
import type { Principal } from "../auth/authenticator.js";
import { parseBody } from "../http/body.js";
import { findModel, ModelSchema, modelList } from "./models.js";

type ProjectParams = { project_id: string };

export const ProjectParamsSchema = z.object({ project_id: z.string().describe("The project's id.") });
const KeyParamsSchema = ProjectParamsSchema.extend({ key_id: z.string() });
const MemberParamsSchema = ProjectParamsSchema.extend({ member_id: z.string() });
const ModelParamsSchema = ProjectParamsSchema.extend({ model_id: z.string() });

const TAG = "Projects";

/** Host principals (environment keys, key-less loopback) own every project; a stored key has its own only. */
const reachesEveryProject = (principal: Principal): boolean =>
  principal.kind === "env" || principal.kind === "anonymous";

/** The project named in the path, if the caller may reach it; otherwise the same 404 as for no such project. */
export async function projectOf(request: FastifyRequest, accounts: Accounts): Promise<ProjectRecord> {
  const { project_id } = request.params as ProjectParams;
  const principal = request.principal!;
  if (!reachesEveryProject(principal) && principal.projectId !== project_id) throw new ProjectNotFoundError(project_id);
  return accounts.project(project_id);
}

/** Refuses to hand out scopes the caller does not hold. */
function checkGrantable(principal: Principal, scopes: string[]): void {
  const beyond = scopesBeyond(expandScopes(scopes), principal.scopes);
  if (beyond.length > 0) {
    throw new PermissionDeniedError(`You cannot grant scopes you do not hold: ${beyond.join(", ")}.`);
  }
}

/** When a new key expires: an ISO date in the future, a lifetime in seconds, or never. */
function expiryOf(body: { expiration_date?: string | undefined; time_to_live_in_seconds?: number | undefined }) {
  if (body.time_to_live_in_seconds !== undefined) return Date.now() + body.time_to_live_in_seconds * 1000;
  if (body.expiration_date === undefined) return null;
  const at = Date.parse(body.expiration_date);
  if (at <= Date.now()) throw new InvalidRequestError("expiration_date must be in the future.");
  return at;
}

export function manageRoutes(app: FastifyInstance, deps: { accounts: Accounts; registry: ModelRegistry }): void {
  const { accounts } = deps;
  const membersById = async (keys: KeyRecord[]): Promise<Map<string, MemberRecord | undefined>> => {
    const ids = [...new Set(keys.map((k) => k.memberId))];
    return new Map(await Promise.all(ids.map(async (id) => [id, await accounts.member(id)] as const)));
  };

  // Projects

  app.get(
    "/v1/projects",
    {
      config: {
        scope: "project:read",
        docs: {
          tag: TAG,
          summary: "List the projects this key reaches",
          responses: { 200: ProjectListResponseSchema },
        },
      },
    },
    async (request): Promise<ProjectListResponse> => {
      const principal = request.principal!;
      const projects = reachesEveryProject(principal)
        ? await accounts.projects()
        : [await accounts.project(principal.projectId)];
      return { projects: projects.map((p) => ({ project_id: p.id, name: p.name })) };
    },
  );

  app.get<{ Params: ProjectParams }>(
    "/v1/projects/:project_id",
    {
      config: {
        scope: "project:read",
        docs: { tag: TAG, summary: "Get a project", params: ProjectParamsSchema, responses: { 200: ProjectSchema } },
      },
    },
    async (request) => projectView(await projectOf(request, accounts)),
  );

  app.patch<{ Params: ProjectParams }>(
    "/v1/projects/:project_id",
    {
      config: {
        scope: "project:write",
        docs: {
          tag: TAG,
          summary: "Rename a project",
          params: ProjectParamsSchema,
          body: { json: UpdateProjectRequestSchema },
          responses: { 200: MessageResponseSchema },
        },
      },
    },
    async (request): Promise<MessageResponse> => {
      const project = await projectOf(request, accounts);
      const { name } = parseBody(UpdateProjectRequestSchema, request.body);
      await accounts.renameProject(project.id, name);
      return { message: "Successfully updated project info." };
    },
  );

  app.delete<{ Params: ProjectParams }>(
    "/v1/projects/:project_id",
    {
      config: {
        scope: "project:delete",
        docs: {
          tag: TAG,
          summary: "Delete a project with its keys and members",
          params: ProjectParamsSchema,
          responses: { 200: MessageResponseSchema },
        },
      },
    },
    async (request): Promise<MessageResponse> => {
      const project = await projectOf(request, accounts);
      await accounts.deleteProject(project.id);
      return { message: "Project deleted." };
    },
  );

  app.delete<{ Params: ProjectParams }>(
    "/v1/projects/:project_id/leave",
    {
      config: {
        scope: "project:read",
        docs: {
          tag: TAG,
          summary: "Leave a project (the caller's member, with their keys there)",
          params: ProjectParamsSchema,
          responses: { 200: MessageResponseSchema },
        },
      },
    },
    async (request): Promise<MessageResponse> => {
      const project = await projectOf(request, accounts);
      await accounts.removeMember(project.id, request.principal!.memberId);
      return { message: `Successfully removed from project ${project.id}.` };
    },
  );

  // Keys

  app.get<{ Params: ProjectParams }>(
    "/v1/projects/:project_id/keys",
    {
      config: {
        scope: "keys:read",
        docs: {
          tag: TAG,
          summary: "List a project's API keys (never their secrets)",
          params: ProjectParamsSchema,
          query: KeyListQuerySchema,
          responses: { 200: KeyListResponseSchema },
        },
      },
    },
    async (request): Promise<KeyListResponse> => {
      const project = await projectOf(request, accounts);
      const { status } = parseQuery(KeyListQuerySchema, request.query as Record<string, unknown>);
      const keys = (await accounts.keys(project.id)).filter(
        (key) => status === undefined || (status === "expired") === isExpired(key),
      );
      const members = await membersById(keys);
      return {
        api_keys: keys.map((key) => ({
          member: { member_id: key.memberId, email: members.get(key.memberId)?.email ?? "" },
          api_key: keyView(key),
        })),
      };
    },
  );

  app.post<{ Params: ProjectParams }>(
    "/v1/projects/:project_id/keys",
    {
      config: {
        scope: "keys:write",
        docs: {
          tag: TAG,
          summary: "Create an API key",
          description:
            "The key's secret is in this response only; the server keeps a slow salted hash of it. Scopes can be roles (`member`, `admin`, `owner`) or fine scopes (`usage:write`, `usage:read`, `keys:write`, …), never more than the caller holds.",
          params: ProjectParamsSchema,
          body: { json: CreateKeyRequestSchema },
          responses: { 200: CreateKeyResponseSchema },
        },
      },
    },
    async (request): Promise<CreateKeyResponse> => {
      const project = await projectOf(request, accounts);
      const body = parseBody(CreateKeyRequestSchema, request.body);
      const principal = request.principal!;
      checkGrantable(principal, body.scopes);
      const { record, key } = await accounts.createKey({
        projectId: project.id,
        memberId: principal.memberId,
        comment: body.comment,
        scopes: body.scopes,
        tags: body.tags,
        expiresAt: expiryOf(body),
      });
      request.log.info({ created_key_id: record.id }, "API key created");
      const view = keyView(record);
      return {
        api_key_id: record.id,
        key,
        comment: view.comment,
        scopes: view.scopes,
        tags: view.tags,
        expiration_date: view.expiration_date,
      };
    },
  );

  app.get<{ Params: z.infer<typeof KeyParamsSchema> }>(
    "/v1/projects/:project_id/keys/:key_id",
    {
      config: {
        scope: "keys:read",
        docs: { tag: TAG, summary: "Get an API key", params: KeyParamsSchema, responses: { 200: KeyResponseSchema } },
      },
    },
    async (request): Promise<KeyResponse> => {
      const project = await projectOf(request, accounts);
      const key = await accounts.key(project.id, request.params.key_id);
      const member = await accounts.member(key.memberId);
      return {
        item: {
          member: {
            member_id: key.memberId,
            email: member?.email ?? "",
            first_name: member?.firstName ?? "",
            last_name: member?.lastName ?? "",
            api_key: keyView(key),
          },
        },
      };
    },
  );

  app.delete<{ Params: z.infer<typeof KeyParamsSchema> }>(
    "/v1/projects/:project_id/keys/:key_id",
    {
      config: {
        scope: "keys:write",
        docs: {
          tag: TAG,
          summary: "Delete an API key: it stops working at once, with the tokens it granted",
          params: KeyParamsSchema,
          responses: { 200: MessageResponseSchema },
        },
      },
    },
    async (request): Promise<MessageResponse> => {
      const project = await projectOf(request, accounts);
      await accounts.deleteKey(project.id, request.params.key_id);
      request.log.info({ deleted_key_id: request.params.key_id }, "API key deleted");
      return { message: "API key deleted." };
    },
  );

  // Members

  app.get<{ Params: ProjectParams }>(
    "/v1/projects/:project_id/members",
    {
      config: {
        scope: "members:read",
        docs: {
          tag: TAG,
          summary: "List a project's members",
          params: ProjectParamsSchema,
          responses: { 200: MemberListResponseSchema },
        },
      },
    },
    async (request): Promise<MemberListResponse> => {
      const project = await projectOf(request, accounts);
      const memberships = await accounts.memberships(project.id);
      const members = await Promise.all(
        memberships.map(async (m) => {
          const member = await accounts.member(m.memberId);
          return member ? [memberView(member, m.scopes)] : [];
        }),
      );
      return { members: members.flat() };
    },
  );

  app.delete<{ Params: z.infer<typeof MemberParamsSchema> }>(
    "/v1/projects/:project_id/members/:member_id",
    {
      config: {
        scope: "members:write",
        docs: {
          tag: TAG,
          summary: "Remove a member and their keys from a project",
          params: MemberParamsSchema,
          responses: { 200: MessageResponseSchema },
        },
      },
    },
    async (request): Promise<MessageResponse> => {
      const project = await projectOf(request, accounts);
      await accounts.removeMember(project.id, request.params.member_id);
      return { message: "Member removed." };
    },
  );

  app.get<{ Params: z.infer<typeof MemberParamsSchema> }>(
    "/v1/projects/:project_id/members/:member_id/scopes",
    {
      config: {
        scope: "members:read",
        docs: {
          tag: TAG,
          summary: "A member's role in the project",
          params: MemberParamsSchema,
          responses: { 200: MemberScopesResponseSchema },
        },
      },
    },
    async (request): Promise<MemberScopesResponse> => {
      const project = await projectOf(request, accounts);
      const membership = await accounts.membership(project.id, request.params.member_id);
      if (!membership) throw new NotFoundError(`No member ${request.params.member_id} in project ${project.id}.`);
      return { scopes: membership.scopes };
    },
  );

  app.put<{ Params: z.infer<typeof MemberParamsSchema> }>(
    "/v1/projects/:project_id/members/:member_id/scopes",
    {
      config: {
        scope: "members:write",
        docs: {
          tag: TAG,
          summary: "Change a member's role; their keys narrow with it at once",
          params: MemberParamsSchema,
          body: { json: UpdateMemberScopeRequestSchema },
          responses: { 200: MessageResponseSchema },
        },
      },
    },
    async (request): Promise<MessageResponse> => {
      const project = await projectOf(request, accounts);
      const { scope } = parseBody(UpdateMemberScopeRequestSchema, request.body);
      const member = await accounts.member(request.params.member_id);
      if (!member || !(await accounts.membership(project.id, member.id))) {
        throw new NotFoundError(`No member ${request.params.member_id} in project ${project.id}.`);
      }
      if (member.id === (await accounts.hostMember()).id) {
        throw new InvalidRequestError("The host member's role cannot change: keys made on the host belong to it.");
      }
      checkGrantable(request.principal!, [scope]);
      await accounts.setRole(project.id, member.id, scope);
      return { message: "Successfully updated the member's scope." };
    },
  );

  // Models

  app.get<{ Params: ProjectParams }>(
    "/v1/projects/:project_id/models",
    {
      config: {
        scope: "project:read",
        docs: {
          tag: TAG,
          summary: "The models the project can use (every installed one)",
          params: ProjectParamsSchema,
          responses: { 200: ModelsResponseSchema },
        },
      },
    },
    async (request) => {
      await projectOf(request, accounts);
      return modelList(deps.registry);
    },
  );

  app.get<{ Params: z.infer<typeof ModelParamsSchema> }>(
    "/v1/projects/:project_id/models/:model_id",
    {
      config: {
        scope: "project:read",
        docs: {
          tag: TAG,
          summary: "One model, by name or uuid",
          params: ModelParamsSchema,
          responses: { 200: ModelSchema },
        },
      },
    },
    async (request) => {
      await projectOf(request, accounts);
      return findModel(deps.registry, request.params.model_id);
    },
  );
}
