/**
 * The web console: the page `npm run build` makes in the `@earshot/web` package, at `/`, and its hashed assets
 * under `/assets/`. Both are public — the page holds no secret; a key is typed into it — and the page refers to
 * its assets and to the API relatively, so it works under any path prefix a reverse proxy adds.
 *
 * `@fastify/static` streams the files (ETag, ranges, the `.br`/`.gz` copies the build writes beside each file).
 * It is pinned to 10.1.3: later 10.1.x releases need content-disposition 3, which needs Node 22.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

export interface WebOptions {
  /** The built console's folder. @default `dist/` of the installed `@earshot/web` package */
  root?: string | undefined;
}

/** Where the console is built, found through the package resolution (never the current directory). */
export function webDistDir(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@earshot/web/package.json")), "dist");
  } catch {
    return undefined;
  }
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

export async function webRoutes(app: FastifyInstance, options: WebOptions = {}): Promise<void> {
  const root = options.root ?? webDistDir();
  // The page and its assets are not API: no credential, and no entry in the API documents.
  const config = { public: true, docs: false as const };
  // Checked per request, so a console built while the server runs is served without a restart.
  const built = (): boolean => root !== undefined && existsSync(join(root, "index.html"));

  await app.register(async (scope) => {
    if (root !== undefined) await scope.register(fastifyStatic, { root, serve: false, preCompressed: true });
    scope.get("/", { config }, async (_request, reply) => {
      // The page names its hashed assets, so it must be revalidated; the assets themselves never change.
      reply.header("cache-control", "no-cache");
      if (!built()) return reply.code(503).type("text/html; charset=utf-8").send(NOT_BUILT);
      reply.header("content-security-policy", CONTENT_SECURITY_POLICY);
      reply.header("x-content-type-options", "nosniff");
      return reply.sendFile("index.html", { cacheControl: false });
    });
    scope.get<{ Params: { "*": string } }>("/assets/*", { config }, async (request, reply) => {
      if (!built()) return reply.callNotFound();
      reply.header("x-content-type-options", "nosniff");
      return reply.sendFile(`assets/${request.params["*"]}`, { maxAge: YEAR_MS, immutable: true });
    });
  });
}

/**
 * Everything the page loads is its own: scripts and styles from `/assets/`, the API on the same origin over HTTP
 * and WebSocket ('self' covers ws: and wss: on the same host), recorded and synthesised audio as `blob:` URLs,
 * and the microphone's audio worklet, also a `blob:` URL.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' blob:",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const NOT_BUILT = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Earshot: web console not built</title>
<h1>The web console has not been built</h1>
<p>The API is running; only the page is missing. From the repository's root, run</p>
<pre>npm run build</pre>
<p>(or <code>npm run build -w web</code> for the page alone), then reload this page.</p>
`;
