/**
 * Projects, members and API keys over a {@link DocStore}: what the management routes, the authentication hook
 * and the `earshot keys` command share. Every project has a host member (the owner keys made on the host and
 * environment keys act as); the first project is created on first use and is the one environment keys and
 * key-less loopback requests belong to.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import {
  EarshotError,
  ErrorCode,
  expandScopes,
  type FineScope,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  ROLE_SCOPES,
  ROLES,
  type Role,
  SCOPES,
} from "@earshot/protocol";
import type { JobsConfig } from "../config/load.js";
import { embeddedDatabase } from "../storage/sqlite.js";
import type { DocStore } from "./doc-store.js";
import {
  HOST_MEMBER_EMAIL,
  isExpired,
  type KeyRecord,
  type MemberRecord,
  type MembershipRecord,
  membershipId,
  type ProjectRecord,
} from "./records.js";
import { RedisDocStore } from "./redis-doc-store.js";
import { fingerprint, generateKey, parseKey, verifySecret } from "./secrets.js";
import { SqliteDocStore } from "./sqlite-doc-store.js";

const DEFAULT_PROJECT = "default-project";
const HOST_MEMBER = "host-member";

export class ProjectNotFoundError extends EarshotError {
  override name = "ProjectNotFoundError";
  constructor(id: string) {
    super(404, ErrorCode.ProjectNotFound, `Project not found: ${id}.`);
  }
}

export interface NewKeyRequest {
  projectId: string;
  memberId: string;
  comment: string;
  scopes: string[];
  tags?: string[] | undefined;
  expiresAt?: number | null | undefined;
}

/** A key that authenticated: its record and what it may do (its scopes within its member's role). */
export interface VerifiedKey {
  key: KeyRecord;
  scopes: Set<FineScope>;
}

/** Which of `scopes` reaches beyond `allowed`; empty when none does. */
export function scopesBeyond(scopes: Iterable<FineScope>, allowed: Set<FineScope>): FineScope[] {
  return [...scopes].filter((scope) => !allowed.has(scope));
}

export class Accounts {
  /** Key id → fingerprint of the secret it was last verified with, so scrypt runs once per key per process. */
  private readonly verified = new Map<string, string>();
  private defaultProject: Promise<ProjectRecord> | undefined;
  private host: Promise<MemberRecord> | undefined;

  constructor(readonly docs: DocStore) {}

  /** The embedded store in the jobs' SQLite file, or Redis when API nodes are scaled out. */
  static open(jobs: Pick<JobsConfig, "dataDir" | "redisUrl" | "queuePrefix">): Accounts {
    if (jobs.redisUrl) return new Accounts(new RedisDocStore(jobs.redisUrl, jobs.queuePrefix));
    mkdirSync(jobs.dataDir, { recursive: true });
    return new Accounts(new SqliteDocStore(embeddedDatabase(jobs.dataDir)));
  }

  close(): Promise<void> {
    return this.docs.close();
  }

  // Projects

  /**
   * The first project, created with its host member on first use. Idempotent, so several processes starting
   * together agree on one: the first to file its id wins, and every one of them makes sure that project exists.
   */
  ensureDefaultProject(): Promise<ProjectRecord> {
    this.defaultProject ??= (async () => {
      await this.docs.add("setting", DEFAULT_PROJECT, { projectId: randomUUID() });
      const { projectId } = (await this.docs.get<{ projectId: string }>("setting", DEFAULT_PROJECT))!;
      await this.saveProject({ id: projectId, name: "Default project", created: Date.now() }, { replace: false });
      return this.project(projectId);
    })().catch((err: unknown) => {
      this.defaultProject = undefined;
      throw err;
    });
    return this.defaultProject;
  }

  /** Files the project and makes the host member its owner. */
  private async saveProject(project: ProjectRecord, { replace = true } = {}): Promise<void> {
    if (replace) await this.docs.put("project", project.id, project);
    else await this.docs.add("project", project.id, project);
    const host = await this.hostMember();
    await this.setRole(project.id, host.id, "owner");
  }

  async createProject(name: string): Promise<ProjectRecord> {
    const project: ProjectRecord = { id: randomUUID(), name, created: Date.now() };
    await this.saveProject(project);
    return project;
  }

  async project(id: string): Promise<ProjectRecord> {
    const project = await this.docs.get<ProjectRecord>("project", id);
    if (!project) throw new ProjectNotFoundError(id);
    return project;
  }

  /** A project by id, or by name for the CLI. */
  async findProject(idOrName: string): Promise<ProjectRecord | undefined> {
    const byId = await this.docs.get<ProjectRecord>("project", idOrName);
    if (byId) return byId;
    return (await this.projects()).find((p) => p.name === idOrName);
  }

  async projects(): Promise<ProjectRecord[]> {
    return (await this.docs.list<ProjectRecord>("project")).sort((a, b) => a.created - b.created);
  }

  async renameProject(id: string, name: string): Promise<ProjectRecord> {
    const project = { ...(await this.project(id)), name };
    await this.docs.put("project", id, project);
    return project;
  }

  /** Deletes the project, its keys and memberships; the default project stays (environment keys need one). */
  async deleteProject(id: string): Promise<void> {
    await this.project(id);
    if (id === (await this.ensureDefaultProject()).id) {
      throw new InvalidRequestError("The default project cannot be deleted: environment keys and the CLI use it.");
    }
    for (const key of await this.keys(id)) await this.docs.remove("key", key.id);
    for (const membership of await this.memberships(id)) {
      await this.docs.remove("membership", membershipId(id, membership.memberId));
    }
    await this.docs.remove("project", id);
  }

  // Members

  async findOrCreateMember(
    email: string,
    names: { firstName?: string; lastName?: string } = {},
  ): Promise<MemberRecord> {
    const members = await this.docs.list<MemberRecord>("member");
    const existing = members.find((m) => m.email.toLowerCase() === email.toLowerCase());
    if (existing) return existing;
    const member: MemberRecord = {
      id: randomUUID(),
      email,
      firstName: names.firstName ?? "",
      lastName: names.lastName ?? "",
      created: Date.now(),
    };
    await this.docs.put("member", member.id, member);
    return member;
  }

  async member(id: string): Promise<MemberRecord | undefined> {
    return this.docs.get<MemberRecord>("member", id);
  }

  /** The host member: environment keys and keys made on the host act as it. Made once, like the default project. */
  hostMember(): Promise<MemberRecord> {
    this.host ??= (async () => {
      await this.docs.add("setting", HOST_MEMBER, { memberId: randomUUID() });
      const { memberId } = (await this.docs.get<{ memberId: string }>("setting", HOST_MEMBER))!;
      const member: MemberRecord = {
        id: memberId,
        email: HOST_MEMBER_EMAIL,
        firstName: "Earshot",
        lastName: "host",
        created: Date.now(),
      };
      await this.docs.add("member", memberId, member);
      return (await this.member(memberId)) ?? member;
    })().catch((err: unknown) => {
      this.host = undefined;
      throw err;
    });
    return this.host;
  }

  async setRole(projectId: string, memberId: string, role: Role): Promise<void> {
    const membership: MembershipRecord = { projectId, memberId, scopes: [role] };
    await this.docs.put("membership", membershipId(projectId, memberId), membership, projectId);
  }

  async membership(projectId: string, memberId: string): Promise<MembershipRecord | undefined> {
    return this.docs.get<MembershipRecord>("membership", membershipId(projectId, memberId));
  }

  memberships(projectId: string): Promise<MembershipRecord[]> {
    return this.docs.list<MembershipRecord>("membership", projectId);
  }

  /** Removes a member from a project, with every key they hold there; the host member stays. */
  async removeMember(projectId: string, memberId: string): Promise<void> {
    const member = await this.member(memberId);
    if (!member || !(await this.membership(projectId, memberId))) {
      throw new NotFoundError(`No member ${memberId} in project ${projectId}.`);
    }
    if (member.email === HOST_MEMBER_EMAIL) {
      throw new InvalidRequestError("The host member cannot be removed: keys made on the host belong to it.");
    }
    for (const key of await this.keys(projectId)) if (key.memberId === memberId) await this.docs.remove("key", key.id);
    await this.docs.remove("membership", membershipId(projectId, memberId));
  }

  // Keys

  async createKey(request: NewKeyRequest): Promise<{ record: KeyRecord; key: string }> {
    const unknown = request.scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
    if (unknown.length > 0 || request.scopes.length === 0) {
      throw new InvalidRequestError(
        `A key needs scopes from ${SCOPES.join(", ")}${unknown.length ? `; unknown: ${unknown.join(", ")}` : ""}.`,
      );
    }
    const membership = await this.membership(request.projectId, request.memberId);
    if (!membership) throw new NotFoundError(`No member ${request.memberId} in project ${request.projectId}.`);
    const beyond = scopesBeyond(expandScopes(request.scopes), expandScopes(membership.scopes));
    if (beyond.length > 0) {
      throw new PermissionDeniedError(
        `A key cannot have scopes its member lacks (${beyond.join(", ")}); the member's role is ${membership.scopes.join(", ")}.`,
      );
    }
    const { id, key, hash } = await generateKey();
    const record: KeyRecord = {
      id,
      projectId: request.projectId,
      memberId: request.memberId,
      comment: request.comment,
      scopes: [...new Set(request.scopes)],
      tags: request.tags ?? [],
      expiresAt: request.expiresAt ?? null,
      created: Date.now(),
      hash,
    };
    await this.docs.put("key", id, record, request.projectId);
    return { record, key };
  }

  async keys(projectId: string): Promise<KeyRecord[]> {
    return (await this.docs.list<KeyRecord>("key", projectId)).sort((a, b) => a.created - b.created);
  }

  async key(projectId: string, keyId: string): Promise<KeyRecord> {
    const key = await this.docs.get<KeyRecord>("key", keyId);
    if (!key || key.projectId !== projectId) throw new NotFoundError(`No API key ${keyId} in project ${projectId}.`);
    return key;
  }

  async deleteKey(projectId: string, keyId: string): Promise<void> {
    await this.key(projectId, keyId);
    await this.docs.remove("key", keyId);
    this.verified.delete(keyId);
  }

  /**
   * A key made on the host (`earshot keys create`): in the named project (found by id or name, created when
   * missing; the default project otherwise), for the member with `email` (created when missing, and raised to
   * the role the scopes need; the host member otherwise).
   */
  async createHostKey(request: {
    project?: string | undefined;
    email?: string | undefined;
    comment: string;
    scopes: string[];
    tags?: string[] | undefined;
    expiresAt?: number | null | undefined;
  }): Promise<{ record: KeyRecord; key: string; project: ProjectRecord }> {
    const project = request.project
      ? ((await this.findProject(request.project)) ?? (await this.createProject(request.project)))
      : await this.ensureDefaultProject();
    const member = request.email ? await this.findOrCreateMember(request.email) : await this.hostMember();
    if (request.email) {
      const current = (await this.membership(project.id, member.id))?.scopes[0] as Role | undefined;
      const needed = roleFor(request.scopes);
      const rank = (role: Role | undefined) => (role ? ROLES.indexOf(role) : -1);
      if (rank(needed) > rank(current)) await this.setRole(project.id, member.id, needed);
    }
    const created = await this.createKey({
      projectId: project.id,
      memberId: member.id,
      comment: request.comment,
      scopes: request.scopes,
      tags: request.tags,
      expiresAt: request.expiresAt,
    });
    return { ...created, project };
  }

  /** Every key of every project (the host's view, `earshot keys list`). */
  async allKeys(): Promise<KeyRecord[]> {
    return (await this.docs.list<KeyRecord>("key")).sort((a, b) => a.created - b.created);
  }

  /** Deletes a key by id alone (`earshot keys revoke`); false when there is none. */
  async revokeKey(keyId: string): Promise<boolean> {
    const key = await this.docs.get<KeyRecord>("key", keyId);
    if (!key) return false;
    await this.deleteKey(key.projectId, keyId);
    return true;
  }

  /** Whether any key was ever made here (expired ones count: the server is not open again when keys expire). */
  hasKeys(): Promise<boolean> {
    return this.docs.any("key");
  }

  /**
   * The key `candidate` is, if it is a live one: its record is read on every call, so a key deleted or expired
   * anywhere fails at once; only the scrypt check is remembered.
   */
  async verify(candidate: string): Promise<VerifiedKey | undefined> {
    const parsed = parseKey(candidate);
    if (!parsed) return undefined;
    const key = await this.docs.get<KeyRecord>("key", parsed.id);
    if (!key || isExpired(key)) return undefined;
    const print = fingerprint(parsed.secret);
    if (this.verified.get(key.id) !== print) {
      if (!(await verifySecret(parsed.secret, key.hash))) return undefined;
      this.verified.set(key.id, print);
    }
    return { key, scopes: await this.scopesOf(key) };
  }

  /** A key's own scopes within its member's current role: demoting a member narrows their keys at once. */
  async scopesOf(key: KeyRecord): Promise<Set<FineScope>> {
    const membership = await this.membership(key.projectId, key.memberId);
    const role = expandScopes(membership?.scopes ?? []);
    return new Set([...expandScopes(key.scopes)].filter((scope) => role.has(scope)));
  }

  /** The key by id, if it is still live (tokens check the key that granted them). */
  async liveKey(keyId: string): Promise<KeyRecord | undefined> {
    const key = await this.docs.get<KeyRecord>("key", keyId);
    return key && !isExpired(key) ? key : undefined;
  }
}

/** The least role whose scopes cover `scopes`. */
export function roleFor(scopes: string[]): Role {
  const wanted = expandScopes(scopes);
  return ROLES.find((role) => [...wanted].every((s) => ROLE_SCOPES[role].includes(s))) ?? "owner";
}

/** Every fine scope an owner holds: what environment keys and key-less loopback requests may do. */
export const OWNER_SCOPES = (): Set<FineScope> => new Set(ROLE_SCOPES.owner);
