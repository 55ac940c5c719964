/** Real servers on loopback for end-to-end tests. */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppOptions, type EarshotServer, startServer } from "@earshot/server";

export type ServerOverrides = Parameters<typeof startServer>[0];

/**
 * An Earshot server on 127.0.0.1 with a free port and a data directory of its own (jobs never touch the
 * user's `~/.earshot`); loopback URLs are allowed so tests can serve audio.
 */
export function startTestServer(overrides: ServerOverrides = {}, app: AppOptions = {}): Promise<EarshotServer> {
  return startServer(
    {
      host: "127.0.0.1",
      port: 0,
      logLevel: "warn",
      ...overrides,
      url: { allowList: ["127.0.0.0/8", "::1"], ...overrides.url },
      engine: { workers: 2, ...overrides.engine },
      jobs: { dataDir: mkdtempSync(join(tmpdir(), "earshot-test-data-")), ...overrides.jobs },
    },
    {},
    app,
  );
}

export interface FileServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A tiny origin for `{"url": …}` tests: `/file?path=…` serves a file, `/redirect?to=…` redirects,
 * `/status/NNN` answers that status, `/slow` never finishes.
 */
export async function startFileServer(): Promise<FileServer> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/file") {
      const body = readFileSync(url.searchParams.get("path") ?? "");
      res.writeHead(200, { "content-type": "audio/wav", "content-length": body.byteLength });
      res.end(body);
    } else if (url.pathname === "/redirect") {
      res.writeHead(302, { location: url.searchParams.get("to") ?? "/" });
      res.end();
    } else if (url.pathname.startsWith("/status/")) {
      res.writeHead(Number(url.pathname.slice(8)));
      res.end("nope");
    } else if (url.pathname === "/slow") {
      res.writeHead(200, { "content-type": "audio/wav" });
      res.write(Buffer.alloc(1024));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** POST bytes (or JSON) to `/v1/listen` with fetch, returning status, headers and parsed body. */
export async function postListen(
  base: string,
  body: Uint8Array | { url: string },
  query = "",
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const json = !(body instanceof Uint8Array);
  const res = await fetch(`${base}/v1/listen${query ? `?${query}` : ""}`, {
    method: "POST",
    headers: { "content-type": json ? "application/json" : "application/octet-stream", ...headers },
    body: json ? JSON.stringify(body) : (body as Uint8Array<ArrayBuffer>),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed };
}
