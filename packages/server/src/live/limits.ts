/**
 * Fair shares of the live capacity. The engine's limit is global: without these, one key (or one address) opening
 * streams it barely uses held every slot, and everyone else got 429. A key and an address may each hold at most a
 * share of each pool — live channels (`/v1/listen` and Flux), speak sockets — half the pool unless the settings say
 * otherwise, so another key always finds room. Deepgram limits concurrency per project the same way and answers
 * 429 with its error body; the message says which limit was reached.
 *
 * The anonymous caller (a server with no keys answers loopback only), and the tokens it grants, are one tenant:
 * not limited per key.
 * Loopback addresses are not limited per address unless `EARSHOT_LIMIT_LOOPBACK`, as for connections: a reverse
 * proxy on this host brings every client from 127.0.0.1.
 */
import type { IncomingMessage } from "node:http";
import { CapacityError } from "@earshot/protocol";
import { ANONYMOUS_KEY_ID, isLoopback, type Principal } from "../auth/authenticator.js";
import type { StreamLimitConfig } from "../config/load.js";

export type StreamPool = "listen" | "speak";

/** What a refused client should wait before trying again, s: streams last minutes, not milliseconds. */
const RETRY_AFTER_S = 5;

const NOUNS: Record<StreamPool, string> = { listen: "live channels", speak: "speak WebSockets" };

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
const addressKey = (address: string): string => (address.startsWith("::ffff:") ? address.slice(7) : address);

export class StreamLimits {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly config: StreamLimitConfig & { limitLoopback: boolean },
    /** Each pool's whole capacity; a missing one (an engine that does not say) is not shared out. */
    private readonly capacity: Partial<Record<StreamPool, number>>,
  ) {}

  /** What one key or address may hold of `pool`: the setting, else half the pool (at least one). */
  share(pool: StreamPool, limit: "perKey" | "perIp"): number {
    const whole = this.capacity[pool];
    return this.config[limit] ?? (whole === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(whole / 2)));
  }

  /**
   * Takes `slots` of `pool` for a stream about to open, or throws the 429 naming the limit it would pass. The
   * slots are given back when the client's connection closes, however the stream ends; `release` gives them
   * back sooner (the stream was refused after all).
   */
  hold(pool: StreamPool, principal: Principal, raw: IncomingMessage, slots: number): () => void {
    const address = addressKey(raw.socket.remoteAddress ?? "");
    const counted: Array<{ key: string; limit: number; who: string; setting: string }> = [];
    if (principal.apiKeyId !== ANONYMOUS_KEY_ID) {
      counted.push({
        key: `${pool} key ${principal.apiKeyId}`,
        limit: this.share(pool, "perKey"),
        who: "this API key",
        setting: "EARSHOT_STREAMS_PER_KEY",
      });
    }
    if (this.config.limitLoopback || !isLoopback(address)) {
      counted.push({
        key: `${pool} ip ${address}`,
        limit: this.share(pool, "perIp"),
        who: `this client address (${address})`,
        setting: "EARSHOT_STREAMS_PER_IP",
      });
    }
    for (const { key, limit, who, setting } of counted) {
      const now = this.held.get(key) ?? 0;
      if (now + slots > limit) {
        throw new CapacityError(
          `Too many ${NOUNS[pool]} for ${who}: it holds ${now} of the ${limit} it may hold at once (${setting}), and this stream needs ${slots}. Please try again later.`,
          RETRY_AFTER_S,
        );
      }
    }
    for (const { key } of counted) this.held.set(key, (this.held.get(key) ?? 0) + slots);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const { key } of counted) {
        const left = (this.held.get(key) ?? slots) - slots;
        if (left <= 0) this.held.delete(key);
        else this.held.set(key, left);
      }
    };
    raw.socket.once("close", release);
    if (raw.socket.destroyed) release();
    return release;
  }
}
