/**
 * Errors thrown inside a pool worker reach the caller as the class they were thrown as, with their status,
 * code, message and `retryAfter`: through a real worker thread, from a recogniser registered as an architecture.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine, MANIFEST_FILE, ModelRegistry } from "@earshot/engine";
import {
  AudioDecodeError,
  CancelledError,
  CapacityError,
  ConflictError,
  EarshotError,
  InvalidRequestError,
  NotFoundError,
  UnavailableError,
} from "@earshot/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let engine: Engine;

beforeAll(() => {
  const modelsDir = mkdtempSync(join(tmpdir(), "earshot-pool-errors-"));
  mkdirSync(join(modelsDir, "thrower"));
  writeFileSync(
    join(modelsDir, "thrower", MANIFEST_FILE),
    JSON.stringify({ name: "thrower", architecture: "thrower" }),
  );
  engine = new Engine({
    workers: 1,
    registry: new ModelRegistry({ modelsDir }),
    architectures: { thrower: { module: new URL("./fixtures/throwing-architecture.mjs", import.meta.url).href } },
  });
});
afterAll(() => engine?.close());

/** What the worker throws when the PCM spells `name`. */
async function thrown(name: string): Promise<unknown> {
  try {
    for await (const _ of engine.recognizePieces([Int16Array.from(name, (c) => c.charCodeAt(0))], {
      model: "thrower",
    }));
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("errors across the worker pool", () => {
  it.each([
    ["InvalidRequestError", InvalidRequestError, 400, "UNKNOWN_MODEL", "no such model", undefined],
    ["AudioDecodeError", AudioDecodeError, 400, "UNSUPPORTED_AUDIO", "not audio", undefined],
    ["CapacityError", CapacityError, 429, "TOO_MANY_REQUESTS", "full", 7],
    ["NotFoundError", NotFoundError, 404, "NOT_FOUND", "gone", undefined],
    ["UnavailableError", UnavailableError, 503, "SERVICE_UNAVAILABLE", "decoder missing", 30],
    ["ConflictError", ConflictError, 409, "CONFLICT", "already closed", undefined],
    ["CancelledError", CancelledError, 499, "CANCELLED", "client left", undefined],
  ] as const)(
    "keeps %s: class, status, code, message and retryAfter",
    async (name, type, status, code, message, retryAfter) => {
      const error = await thrown(name);
      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({ name, status, code, message, retryAfter });
    },
  );

  it("turns anything else into a 500 with its message", async () => {
    const error = await thrown("TypeError");
    expect(error).toBeInstanceOf(EarshotError);
    expect(error).toMatchObject({ status: 500, code: "INTERNAL_SERVER_ERROR", message: "a bug" });
  });
});
