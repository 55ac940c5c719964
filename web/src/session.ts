/**
 * Who the page talks to and as whom. The API lives where the page was served from — the page's own folder, so a
 * reverse proxy's path prefix is kept — and the credential is an API key typed once (kept in this tab's
 * `sessionStorage`) or, where the server grants them, a short-lived token traded for that key and renewed
 * before it expires.
 */
import { AuthenticationError, EarshotClient, NotFoundError, PermissionDeniedError } from "@earshot/sdk";

const KEY_STORAGE = "earshot.apiKey";
/** Lifetime asked for a token; it is renewed at 80 % of what the server grants. */
const TOKEN_TTL_SECONDS = 600;

/** `https://host/prefix/` → `https://host/prefix`: the SDK appends `/v1/…`. */
export function apiBaseUrl(): string {
  return new URL(".", location.href).href.replace(/\/$/, "");
}

export type Credential = { kind: "none" } | { kind: "key" } | { kind: "token"; expiresAt: number };

export interface Session {
  client: EarshotClient;
  credential: Credential;
}

export const storedKey = (): string | undefined => sessionStorage.getItem(KEY_STORAGE) ?? undefined;

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** A client with no credential: enough for a server without keys, and for `/v1/status` on any. */
export const anonymous = (): Session => ({
  client: new EarshotClient({ baseUrl: apiBaseUrl(), apiKey: "" }),
  credential: { kind: "none" },
});

/**
 * Signs in with `key`: a token where `/v1/auth/grant` exists (404 means it does not, and the key is used
 * directly), checked with a request that needs credentials. Throws `AuthenticationError` for a wrong key.
 */
export async function signIn(key: string): Promise<Session> {
  const keyClient = new EarshotClient({ baseUrl: apiBaseUrl(), apiKey: key });
  let session: Session;
  try {
    const grant = await keyClient.auth.v1.tokens.grant({ ttl_seconds: TOKEN_TTL_SECONDS });
    session = {
      client: new EarshotClient({ baseUrl: apiBaseUrl(), accessToken: grant.access_token }),
      credential: { kind: "token", expiresAt: Date.now() + grant.expires_in * 1000 },
    };
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    session = { client: keyClient, credential: { kind: "key" } };
  }
  await session.client.models.list({ maxRetries: 0 });
  sessionStorage.setItem(KEY_STORAGE, key);
  return session;
}

/** Milliseconds until a token session should be renewed; undefined for the others. */
export function renewIn(credential: Credential): number | undefined {
  if (credential.kind !== "token") return undefined;
  return Math.max(5_000, (credential.expiresAt - Date.now()) * 0.8);
}

/** The server wants a (different) credential. */
export const needsCredential = (error: unknown): boolean =>
  error instanceof AuthenticationError || error instanceof PermissionDeniedError;
