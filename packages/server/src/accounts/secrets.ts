/**
 * API key secrets. A key reads `esk_<key id>_<secret>`: the id (the key's `api_key_id` without dashes) finds the
 * stored record at once, and only a slow salted hash of the secret is kept (scrypt, on libuv's thread pool so
 * the event loop never waits for it). The prefix lets secret scanners and log filters recognise a key.
 */
import { createHash, randomBytes, randomUUID, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

const PREFIX = "esk_";
const KEY_PATTERN = /^esk_([0-9a-f]{32})_([0-9a-f]{48})$/;

/** N = 2^14, r = 8: about 16 MiB and tens of milliseconds per hash, paid once per key per process. */
const SCRYPT: ScryptOptions & { N: number; r: number; p: number } = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;

export interface NewKey {
  id: string;
  /** The whole key, shown once. */
  key: string;
  /** `scrypt$N$r$p$salt$hash`, what is stored. */
  hash: string;
}

const dashed = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

function derive(secret: string, salt: Buffer, options: typeof SCRYPT): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, HASH_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function generateKey(): Promise<NewKey> {
  const id = randomUUID();
  const secret = randomBytes(24).toString("hex");
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, SCRYPT);
  return {
    id,
    key: `${PREFIX}${id.replaceAll("-", "")}_${secret}`,
    hash: ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), hash.toString("base64url")].join("$"),
  };
}

/** The key id and secret of a string shaped like an Earshot key; undefined for anything else. */
export function parseKey(candidate: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(candidate);
  return match ? { id: dashed(match[1]!), secret: match[2]! } : undefined;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(secret, Buffer.from(salt, "base64url"), {
    ...SCRYPT,
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fast digest to remember, in memory only, which secret a key was last verified with. */
export const fingerprint = (secret: string): string => createHash("sha256").update(secret).digest("base64url");
