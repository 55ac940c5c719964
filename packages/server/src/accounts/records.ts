/** Projects, members and keys as the store keeps them, and as Deepgram's management API shows them. */
import type { ApiKey, Member, Project } from "@earshot/protocol";

export interface ProjectRecord {
  id: string;
  name: string;
  created: number;
}

/** A person (or the host itself) who may belong to several projects. */
export interface MemberRecord {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  created: number;
}

/** A member's role in one project; filed under the project. */
export interface MembershipRecord {
  projectId: string;
  memberId: string;
  scopes: string[];
}

export interface KeyRecord {
  id: string;
  projectId: string;
  memberId: string;
  comment: string;
  scopes: string[];
  tags: string[];
  /** Epoch ms; null for a key that does not expire. */
  expiresAt: number | null;
  created: number;
  /** The secret's scrypt hash; the secret itself is never stored. */
  hash: string;
}

/** The member every project has: who keys made on the host (`earshot keys create`) and environment keys belong to. */
export const HOST_MEMBER_EMAIL = "host@localhost";

export const membershipId = (projectId: string, memberId: string): string => `${projectId}/${memberId}`;

export const isExpired = (key: Pick<KeyRecord, "expiresAt">, now = Date.now()): boolean =>
  key.expiresAt !== null && key.expiresAt <= now;

const iso = (ms: number): string => new Date(ms).toISOString();

export const projectView = (project: ProjectRecord): Project => ({
  project_id: project.id,
  name: project.name,
  mip_opt_out: true,
});

export const keyView = (key: KeyRecord): ApiKey => ({
  api_key_id: key.id,
  comment: key.comment,
  scopes: key.scopes,
  tags: key.tags,
  expiration_date: key.expiresAt === null ? null : iso(key.expiresAt),
  created: iso(key.created),
});

export const memberView = (member: MemberRecord, scopes: string[]): Member => ({
  member_id: member.id,
  email: member.email,
  first_name: member.firstName,
  last_name: member.lastName,
  scopes,
});
