/**
 * A local stand-in for the model hub on loopback: files under `/{repo}/resolve/{revision}/{file}`, with HTTP
 * Range, and per-file misbehaviour — a connection dropped half-way, a stall, a slow trickle — so downloads can
 * be tested without a network.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Behaviour =
  /** Sends half the bytes asked for, then destroys the socket; `times` requests do so, then it behaves. */
  | { kind: "drop"; times: number }
  /** Sends half, then goes silent (keeps the socket open) for `times` requests. */
  | { kind: "stall"; times: number }
  /** Sends `chunk` bytes every `everyMs`. */
  | { kind: "slow"; chunk: number; everyMs: number };

export interface HubFile {
  body: Buffer;
  behaviour?: Behaviour;
}

export interface HubRequest {
  path: string;
  range: string | undefined;
  headers: IncomingHttpHeaders;
}

export interface TestHub {
  url: string;
  requests: HubRequest[];
  /** Adds or replaces a file at `/{repo}/resolve/main/{file}`; returns its URL and sha256. */
  put(repoFile: string, file: HubFile): { url: string; sha256: string; size: number };
  close(): Promise<void>;
}

export async function startHub(): Promise<TestHub> {
  const files = new Map<string, HubFile>();
  const requests: HubRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://hub").pathname);
    requests.push({ path, range: req.headers.range, headers: req.headers });
    const match = /^\/(.+?\/.+?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const file = match ? files.get(`${match[1]}/${match[3]}`) : undefined;
    if (!file) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");
      return;
    }
    const size = file.body.length;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    if (start >= size && range) {
      res.writeHead(416, { "content-range": `bytes */${size}` }).end();
      return;
    }
    const body = file.body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      "content-length": String(body.length),
      "accept-ranges": "bytes",
      ...(range ? { "content-range": `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const b = file.behaviour;
    if ((b?.kind === "drop" || b?.kind === "stall") && b.times > 0) {
      b.times--;
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
        if (b.kind === "drop") res.destroy();
      });
      return;
    }
    if (b?.kind === "slow") {
      let offset = 0;
      const timer = setInterval(() => {
        const piece = body.subarray(offset, offset + b.chunk);
        offset += piece.length;
        if (offset >= body.length) {
          clearInterval(timer);
          res.end(piece);
        } else {
          res.write(piece);
        }
      }, b.everyMs);
      res.on("close", () => clearInterval(timer));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    put(repoFile, file) {
      files.set(repoFile, file);
      const slash = repoFile.lastIndexOf("/");
      return {
        url: `${url}/${repoFile.slice(0, slash)}/resolve/main/${repoFile.slice(slash + 1)}`,
        sha256: createHash("sha256").update(file.body).digest("hex"),
        size: file.body.length,
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
