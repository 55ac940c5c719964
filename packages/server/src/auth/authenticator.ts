/**
 * Who is calling, from the secret a request carries: an API key from the store, a key from
 * `EARSHOT_API_KEYS`, an access token, or — on a server with no keys at all — nobody, which is allowed from
 * loopback only. The answer is a {@link Principal}: a project, the key id the request log records, and the
 * fine scopes the routes check.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { AuthenticationError, type FineScope, PermissionDeniedError } from "@earshot/protocol";
import { type Accounts, OWNER_SCOPES } from "../accounts/service.js";
import { looksLikeToken } from "./credentials.js";
import type { TokenIssuer } from "./tokens.js";

export interface Principal {
  /** `token`: an access token, speaking for the key (or environment key, or anonymous caller) that granted it. */
  kind: "key" | "env" | "token" | "anonymous";
  projectId: string;
  /** The API key the request counts against: a stored key's id, `env-…` for an environment key, or `anonymous`. */
  apiKeyId: string;
  memberId: string;
  scopes: Set<FineScope>;
}

/** What a route asks of its caller. */
export interface RouteAccess {
  scope: FineScope;
  /** Whether an access token may call it (a token is for the speech APIs, never for management). */
  tokens: boolean;
}

export const ANONYMOUS_KEY_ID = "anonymous";

export const NO_KEYS_MESSAGE =
  "This server has no API keys yet, so it answers requests from this machine (loopback) only. Create a key on the server's host with `earshot keys create --scope admin`, or set EARSHOT_API_KEYS.";

/** The id an environment key is logged under: stable across restarts, never the key itself. */
export const envKeyId = (key: string): string => `env-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return v4.startsWith("127.") || address === "::1";
}

function matchesEnvKey(candidate: string, keys: string[]): string | undefined {
  const given = Buffer.from(candidate);
  return keys.find((key) => {
    const expected = Buffer.from(key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** Throws the 403 a principal gets where its scopes (or its being a token) do not reach. */
export function authorize(principal: Principal, access: RouteAccess): void {
  if (principal.kind === "token" && !access.tokens) {
    throw new PermissionDeniedError(
      "Access tokens work on the speech APIs only (listen, speak, read); use an API key for this route.",
    );
  }
  if (!principal.scopes.has(access.scope)) {
    throw new PermissionDeniedError(
      `User does not have sufficient permissions: this route needs the '${access.scope}' scope.`,
    );
  }
}

export class Authenticator {
  constructor(
    private readonly accounts: Accounts,
    readonly tokens: TokenIssuer,
    private readonly envKeys: string[],
  ) {}

  /** True while no key exists anywhere: the server is open to loopback callers. */
  async isOpen(): Promise<boolean> {
    return this.envKeys.length === 0 && !(await this.accounts.hasKeys());
  }

  private async hostPrincipal(kind: "env" | "anonymous", apiKeyId: string): Promise<Principal> {
    const [project, host] = await Promise.all([this.accounts.ensureDefaultProject(), this.accounts.hostMember()]);
    return { kind, projectId: project.id, apiKeyId, memberId: host.id, scopes: OWNER_SCOPES() };
  }

  /**
   * A credential that verifies wins; without one, a server with no keys at all lets loopback callers in (whatever
   * they send: Deepgram's SDKs insist on some key) and refuses everyone else.
   */
  async authenticate(secret: string | undefined, remoteAddress: string | undefined): Promise<Principal> {
    if (secret) {
      const principal = looksLikeToken(secret) ? await this.fromToken(secret) : await this.fromKey(secret);
      if (principal) return principal;
    }
    if (await this.isOpen()) {
      if (isLoopback(remoteAddress)) return this.hostPrincipal("anonymous", ANONYMOUS_KEY_ID);
      throw new AuthenticationError(NO_KEYS_MESSAGE);
    }
    throw new AuthenticationError();
  }

  private async fromKey(secret: string): Promise<Principal | undefined> {
    const envKey = matchesEnvKey(secret, this.envKeys);
    if (envKey) return this.hostPrincipal("env", envKeyId(envKey));
    const verified = await this.accounts.verify(secret);
    if (!verified) return undefined;
    const { key, scopes } = verified;
    return { kind: "key", projectId: key.projectId, apiKeyId: key.id, memberId: key.memberId, scopes };
  }

  /** A token speaks for what granted it, and only while that still stands: a deleted key's tokens fail at once. */
  private async fromToken(token: string): Promise<Principal | undefined> {
    const claims = await this.tokens.verify(token);
    if (!claims) return undefined;
    let granter: Principal | undefined;
    if (claims.principal === "key") {
      const key = await this.accounts.liveKey(claims.apiKeyId);
      granter = key && {
        kind: "key",
        projectId: key.projectId,
        apiKeyId: key.id,
        memberId: key.memberId,
        scopes: await this.accounts.scopesOf(key),
      };
    } else if (claims.principal === "env") {
      const stillConfigured = this.envKeys.some((key) => envKeyId(key) === claims.apiKeyId);
      granter = stillConfigured ? await this.hostPrincipal("env", claims.apiKeyId) : undefined;
    }
    if (!granter || granter.projectId !== claims.projectId) return undefined;
    return { ...granter, kind: "token", scopes: new Set(claims.scopes.filter((s) => granter.scopes.has(s))) };
  }
}
