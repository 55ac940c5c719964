/**
 * Short-lived access tokens (`POST /v1/auth/grant`): HS256 JWTs signed with a key every API node reads from the
 * account store, so a token granted by one node is accepted by all. The signing key rotates by itself once it
 * is older than the rotation period; the previous one keeps verifying for the longest token lifetime after it is
 * replaced, so rotation never cuts a token short. `jose` does the JWT work (signature, `exp`, algorithm pinning).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { type FineScope, TOKEN_TTL } from "@earshot/protocol";
import { errors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import type { DocStore } from "../accounts/doc-store.js";

const ISSUER = "earshot";
/** How often the cached signing keys are read again, and at most how often an unknown `kid` forces a read. */
const REFRESH_MS = 30_000;
const UNKNOWN_KID_REFRESH_MS = 1000;

interface SigningKey {
  kid: string;
  /** base64url, 32 bytes. */
  secret: string;
  created: number;
}

/** Who a token speaks for: the key (or environment key, or anonymous loopback caller) that granted it. */
export interface TokenClaims {
  apiKeyId: string;
  projectId: string;
  principal: "key" | "env" | "anonymous";
  scopes: FineScope[];
  expiresAt: number;
}

interface Claims extends JWTPayload {
  project: string;
  principal: TokenClaims["principal"];
  scope: string;
}

export class TokenIssuer {
  private keys: SigningKey[] = [];
  private loadedAt = 0;

  constructor(
    private readonly docs: DocStore,
    /** A signing key older than this is replaced at the next grant. */
    private readonly rotationMs: number,
  ) {}

  private async load(): Promise<SigningKey[]> {
    this.keys = (await this.docs.list<SigningKey>("signing")).sort((a, b) => b.created - a.created);
    this.loadedAt = Date.now();
    return this.keys;
  }

  private async current(): Promise<SigningKey> {
    if (Date.now() - this.loadedAt > REFRESH_MS) await this.load();
    const newest = this.keys[0];
    if (newest && Date.now() - newest.created < this.rotationMs) return newest;
    await this.rotate();
    return this.keys[0]!;
  }

  /**
   * Adds a new signing key, which signs from now on, and drops keys replaced longer ago than the longest token
   * lifetime. Two nodes rotating at once add two keys; both verify, the newer signs.
   */
  async rotate(): Promise<void> {
    const key: SigningKey = { kid: randomUUID(), secret: randomBytes(32).toString("base64url"), created: Date.now() };
    await this.docs.put("signing", key.kid, key);
    const keys = await this.load();
    for (const [index, old] of keys.entries()) {
      const replacedAt = index === 0 ? undefined : keys[index - 1]!.created;
      if (replacedAt !== undefined && Date.now() - replacedAt > TOKEN_TTL.max * 1000) {
        await this.docs.remove("signing", old.kid);
      }
    }
  }

  /** The key with `kid` if it still verifies: the newest, or one replaced less than the longest lifetime ago. */
  private async verifying(kid: string | undefined): Promise<SigningKey | undefined> {
    let index = this.keys.findIndex((k) => k.kid === kid);
    if (index < 0 && Date.now() - this.loadedAt > UNKNOWN_KID_REFRESH_MS) {
      index = (await this.load()).findIndex((k) => k.kid === kid);
    }
    if (index < 0) return undefined;
    if (index === 0) return this.keys[0];
    const replacedAt = this.keys[index - 1]!.created;
    return Date.now() - replacedAt <= TOKEN_TTL.max * 1000 ? this.keys[index] : undefined;
  }

  async grant(claims: Omit<TokenClaims, "expiresAt">, ttlSeconds: number): Promise<string> {
    const key = await this.current();
    const payload: Claims = { project: claims.projectId, principal: claims.principal, scope: claims.scopes.join(" ") };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", kid: key.kid, typ: "JWT" })
      .setIssuer(ISSUER)
      .setSubject(claims.apiKeyId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(Buffer.from(key.secret, "base64url"));
  }

  /** The token's claims when its signature, issuer and expiry hold; undefined otherwise. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify<Claims>(
        token,
        async (header) => {
          const key = await this.verifying(header.kid);
          if (!key) throw new errors.JWKSNoMatchingKey();
          return Buffer.from(key.secret, "base64url");
        },
        { issuer: ISSUER, algorithms: ["HS256"], requiredClaims: ["exp", "sub"] },
      );
      return {
        apiKeyId: payload.sub!,
        projectId: payload.project,
        principal: payload.principal,
        scopes: payload.scope.split(" ").filter(Boolean) as FineScope[],
        expiresAt: payload.exp! * 1000,
      };
    } catch (err) {
      if (err instanceof errors.JOSEError) return undefined;
      throw err;
    }
  }
}
