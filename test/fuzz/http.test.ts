/**
 * Property-based fuzzing of the HTTP APIs on a real server: audio with lying headers, truncations and bit flips;
 * every listen option with hostile values; JSON and multipart bodies on the job, Gladia, AssemblyAI, OpenAI and
 * speak routes; URL sources in every spelling of a loopback address the allow list leaves out. Invariants: no
 * 5xx for client input, no hang, refusals in the API's shape, no connection to an address outside the allow list,
 * and the server still transcribes a real clip after each batch.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { clip } from "@earshot/bench/corpus";
import { ListenOptionsSchema } from "@earshot/protocol";
import type { EarshotServer } from "@earshot/server";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FileServer, postListen, startFileServer, startTestServer } from "../support/server.js";
import {
  confine,
  expectClientOutcome,
  fuzz,
  loopbackSpellings,
  printOutcomes,
  REFUSED_SOURCES,
  send,
} from "./harness.js";

const lj = clip("ljspeech-dev", "LJ001-0002");
const speech = new Uint8Array(readFileSync(lj.path));

let server: EarshotServer;
let files: FileServer;
/** Listens on 127.0.0.2 and ::1, the addresses the URL cases name: a connection here is a guard that failed. */
let traps: Server[] = [];
let trapPort = 0;
let trapped = 0;

async function listenTrap(host: string, port: number): Promise<Server> {
  const trap = createServer((socket) => {
    trapped++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    trap.once("error", reject);
    trap.listen(port, host, () => resolve());
  });
  return trap;
}

beforeAll(async () => {
  // Loopback only: the allow list admits 127.0.0.1 (the file server) and nothing else.
  [server, files] = await Promise.all([
    startTestServer({ url: { allowList: ["127.0.0.1/32"], timeoutMs: 2000 } }),
    startFileServer(),
  ]);
  const first = await listenTrap("127.0.0.2", 0);
  trapPort = (first.address() as { port: number }).port;
  traps = [first, await listenTrap("::1", trapPort)];
});

afterAll(async () => {
  printOutcomes();
  await Promise.all([server?.close(), files?.close(), ...traps.map((t) => new Promise((r) => t.close(r)))]);
});

afterEach(async () => {
  // After each batch the server still does its job.
  const res = await postListen(server.url, speech);
  expect(res.status).toBe(200);
  expect(res.body.results.channels[0].alternatives[0].transcript).toMatch(/in being comparatively/i);
  expect(trapped, "a URL reached an address outside the allow list").toBe(0);
});

/** The real clip with its header rewritten, cut short, bit-flipped, or behind another container's magic. */
const hostileAudio: fc.Arbitrary<Uint8Array> = fc.oneof(
  // A header field replaced: sizes, format tag, channels, rate, byte rate, block align, bits.
  fc
    .record({
      at: fc.constantFrom(4, 16, 20, 22, 24, 28, 32, 34, 40),
      value: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 1, 63, 100, 3999, 65_535, 384_000)),
      keep: fc.integer({ min: 44, max: speech.byteLength }),
    })
    .map(({ at, value, keep }) => {
      const bytes = Buffer.from(speech.subarray(0, keep));
      const wide = at === 4 || at === 16 || at === 24 || at === 28 || at === 40;
      if (wide) bytes.writeUInt32LE(value >>> 0, at);
      else bytes.writeUInt16LE(value & 0xffff, at);
      return new Uint8Array(bytes);
    }),
  // Truncated anywhere, the header included.
  fc.integer({ min: 0, max: speech.byteLength }).map((n) => speech.slice(0, n)),
  // Bits flipped, in the header more often than not.
  fc
    .array(fc.tuple(fc.oneof(fc.nat(64), fc.nat(speech.byteLength - 1)), fc.nat(7)), { minLength: 1, maxLength: 16 })
    .map((flips) => {
      const bytes = speech.slice();
      for (const [at, bit] of flips) bytes[at % bytes.byteLength]! ^= 1 << bit;
      return bytes;
    }),
  // Another container's magic (ffmpeg's side) or nothing recognisable at all.
  fc
    .tuple(
      fc.constantFrom("ID3", "OggS", "fLaC", "\x1aE\xdf\xa3", "\0\0\0 ftypM4A ", "#!AMR\n", "FORM\0\0\0\0AIFF", ""),
      fc.uint8Array({ maxLength: 4096 }),
    )
    .map(([magic, rest]) => new Uint8Array(Buffer.concat([Buffer.from(magic, "latin1"), rest]))),
);

const HOSTILE_VALUES = [
  "",
  "-1",
  "0",
  "1e20",
  "NaN",
  "Infinity",
  "true",
  "false",
  "null",
  "%00",
  "\u0000",
  "../../etc/passwd",
  "a".repeat(5000),
  "[]",
  "{}",
  "0x10",
  "1.5",
  "🙂",
  "linear16",
  "8000",
  "384000",
];

/** Query strings: every listen option and some that are not, with hostile values, some repeated. */
const hostileQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...Object.keys(ListenOptionsSchema.shape)), fc.string({ maxLength: 20 })),
      fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.string({ maxLength: 50 })),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => {
    const query = new URLSearchParams();
    for (const [key, value] of pairs) query.append(key, confine(value, "http://127.0.0.2/"));
    return query.toString();
  });

describe("HTTP fuzzing", () => {
  it("audio with lying headers, truncations and bit flips", async () => {
    await fuzz(2.5, fc.tuple(hostileAudio, fc.boolean()), async ([audio, raw]) => {
      const query = raw ? "?encoding=linear16&sample_rate=16000&channels=1" : "";
      const answer = await send("audio", `${server.url}/v1/listen${query}`, {
        method: "POST",
        headers: { "content-type": "audio/wav" },
        body: audio as Uint8Array<ArrayBuffer>,
      });
      expectClientOutcome(answer, `${audio.byteLength} bytes`);
    });
  });

  it("every listen option with hostile values", async () => {
    await fuzz(1.5, hostileQuery, async (query) => {
      const answer = await send("query", `${server.url}/v1/listen?${query}`, {
        method: "POST",
        headers: { "content-type": "audio/wav" },
        body: speech,
      });
      expectClientOutcome(answer, query);
    });
  });

  it("JSON and multipart bodies on every route that takes one", async () => {
    const routes: Array<{ path: string; family: string }> = [
      { path: "/v1/jobs", family: "deepgram" },
      { path: "/v1/listen?callback=http://127.0.0.2/", family: "deepgram" },
      { path: "/v1/speak", family: "deepgram" },
      { path: "/v1/read", family: "deepgram" },
      { path: "/v2/pre-recorded", family: "gladia" },
      { path: "/v2/upload", family: "gladia" },
      { path: "/assemblyai/v2/transcript", family: "assemblyai" },
      { path: "/v1/audio/transcriptions", family: "openai" },
    ];
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            url: fc.string(),
            audio_url: fc.string(),
            text: fc.string({ maxLength: 300 }),
            language: fc.string({ maxLength: 10 }),
            callback_url: fc.string(),
            webhook_url: fc.string(),
            custom_metadata: fc.jsonValue({ maxDepth: 3 }),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 200 }),
      fc.nat(20_000).map((depth) => `{"a":${"[".repeat(depth)}`),
    );
    await fuzz(
      2,
      fc.record({
        route: fc.constantFrom(...routes),
        body,
        multipart: fc.boolean(),
      }),
      async ({ route: { path, family }, body: text, multipart }) => {
        const safe = JSON.stringify(confine(safeParse(text), `http://127.0.0.2:${trapPort}/a.wav`));
        const payload = safe === undefined ? text : safe;
        const answer = await send(`json ${family}`, `${server.url}${path}`, {
          method: "POST",
          headers: {
            "content-type": multipart ? "multipart/form-data; boundary=fuzz" : "application/json",
          },
          body: multipart ? `--fuzz\r\nContent-Disposition: form-data; name="file"\r\n\r\n${payload}` : payload,
        });
        expect(answer.status, `${path} ${payload.slice(0, 300)}: ${JSON.stringify(answer.body)}`).toBeLessThan(500);
        // Gladia, AssemblyAI and OpenAI answer in their own error shapes; Deepgram's routes in Deepgram's.
        if (family === "deepgram") expectClientOutcome(answer, path);
      },
    );
  });

  it("URL sources: refused schemes, loopback spellings outside the allow list, redirects to them", async () => {
    const direct = fc.constantFrom(...loopbackSpellings(trapPort), ...REFUSED_SOURCES);
    const redirected = fc
      .constantFrom(...loopbackSpellings(trapPort))
      .map((to) => `${files.url}/redirect?to=${encodeURIComponent(to)}`);
    await fuzz(1.5, fc.tuple(fc.oneof(direct, redirected), fc.boolean()), async ([url, asJob]) => {
      const answer = await send("url", `${server.url}/v1/${asJob ? "jobs" : "listen"}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      expectClientOutcome(answer, url);
      // A job whose URL only redirects somewhere refused is accepted, and ends in error when its worker follows.
      if (!(asJob && url.startsWith(files.url))) expect(answer.status).toBe(400);
    });
  });
});

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
