/**
 * Fetching `{"url": …}` audio without becoming a proxy into our own network. Every hop — the first URL and
 * each redirect — is checked: http(s) only, and the address the socket actually connects to must be public
 * unless an allow-list entry names it. The check runs inside the connection's DNS lookup, so a name that
 * resolves to a public address for the check and a private one for the connect (DNS rebinding) is caught.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { EarshotError, ErrorCode, InvalidRequestError, PayloadTooLargeError } from "@earshot/protocol";
import ipaddr from "ipaddr.js";
import type { UrlPolicy } from "../config/load.js";
import { OutboundClient, type OutboundResponse } from "../http/outbound.js";

function refused(message: string): InvalidRequestError {
  return new InvalidRequestError(message, ErrorCode.UrlRefused);
}

function unreachable(message: string, cause?: unknown): InvalidRequestError {
  return new InvalidRequestError(message, ErrorCode.UrlUnreachable, { cause });
}

export class UrlGuard {
  private readonly ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  private readonly hosts = new Set<string>();

  constructor(allowList: string[]) {
    for (const entry of allowList) {
      if (entry.includes("/")) this.ranges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(entry)) this.ranges.push([ipaddr.parse(entry), entry.includes(":") ? 128 : 32]);
      else this.hosts.add(entry.toLowerCase());
    }
  }

  hostAllowed(host: string): boolean {
    return this.hosts.has(host.toLowerCase());
  }

  /** Public unicast addresses pass; private, loopback, link-local and the like only when allow-listed. */
  addressAllowed(address: string): boolean {
    let ip = ipaddr.parse(address);
    if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    if (ip.range() === "unicast") return true;
    return this.ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  }

  check(url: URL): void {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw refused(`Only http and https URLs can be fetched, not ${url.protocol}`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) && !this.hostAllowed(host) && !this.addressAllowed(host)) {
      throw refused(`Refusing to fetch ${url.origin}: it is a private, loopback or link-local address.`);
    }
  }

  /** `source` as a URL that passes {@link check}; anything else is the client's 400. */
  parse(source: string): URL {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new InvalidRequestError(`'${source.slice(0, 200)}' is not a valid URL.`);
    }
    this.check(url);
    return url;
  }

  /** A `dns.lookup` replacement that fails the connection when any resolved address is not allowed. */
  readonly lookup = (
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const blocked = !this.hostAllowed(hostname) && addresses.find((a) => !this.addressAllowed(a.address));
      if (blocked) {
        const error: NodeJS.ErrnoException = new Error(
          `${hostname} resolves to a non-public address (${blocked.address})`,
        );
        error.code = "EARSHOT_ADDRESS_REFUSED";
        return callback(error, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

export class UrlFetcher {
  private readonly guard: UrlGuard;
  private readonly client: OutboundClient;

  constructor(private readonly policy: UrlPolicy) {
    this.guard = new UrlGuard(policy.allowList);
    this.client = new OutboundClient(this.guard.lookup);
  }

  /**
   * What can be told of `source` without a connection: a URL, http(s), not a literal private address. Jobs call
   * it when they are submitted, so a bad URL is a 400 then rather than a stored job nobody can read.
   */
  validate(source: string): URL {
    return this.guard.parse(source);
  }

  /** `cancel`: the caller no longer wants the file (its client went away); the fetch stops. */
  async fetch(source: string, cancel?: AbortSignal): Promise<Uint8Array> {
    let url = this.validate(source);
    const timeout = AbortSignal.timeout(this.policy.timeoutMs);
    const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
    for (let hop = 0; ; hop++) {
      this.guard.check(url);
      let response: OutboundResponse;
      try {
        response = await this.client.request(url, { method: "GET", signal });
      } catch (err) {
        throw this.describe(err, url, timeout);
      }
      const { statusCode, headers, body } = response;
      if (statusCode >= 300 && statusCode < 400 && headers.location) {
        body.resume();
        if (hop >= this.policy.maxRedirects) throw unreachable(`Too many redirects fetching ${source}.`);
        url = new URL(String(headers.location), url);
        continue;
      }
      if (statusCode < 200 || statusCode >= 300) {
        body.resume();
        throw unreachable(`Fetching ${url.href} failed with HTTP ${statusCode}.`);
      }
      const declared = Number(headers["content-length"]);
      if (declared > this.policy.maxBytes) {
        body.destroy();
        throw new PayloadTooLargeError(
          `The file at ${url.href} is ${declared} bytes, over the ${this.policy.maxBytes}-byte limit.`,
        );
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          size += chunk.byteLength;
          if (size > this.policy.maxBytes) {
            body.destroy();
            throw new PayloadTooLargeError(`The file at ${url.href} is over the ${this.policy.maxBytes}-byte limit.`);
          }
          chunks.push(chunk);
        }
      } catch (err) {
        throw err instanceof EarshotError ? err : this.describe(err, url, timeout);
      }
      return Buffer.concat(chunks);
    }
  }

  private describe(err: unknown, url: URL, timeout: AbortSignal): EarshotError {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EARSHOT_ADDRESS_REFUSED") return refused(`Refusing to fetch ${url.href}: ${e.message}.`);
    // A timeout while the body streams surfaces as the socket's "aborted", not as the signal's error.
    if (timeout.aborted) {
      return unreachable(`Fetching ${url.href} timed out after ${this.policy.timeoutMs} ms.`, err);
    }
    return unreachable(`Could not fetch ${url.href}: ${e.message}.`, err);
  }

  close(): void {
    this.client.close();
  }
}
