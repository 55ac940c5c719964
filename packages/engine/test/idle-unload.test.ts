/** Loaded models are listed per worker with their memory, and freed after the idle time. */
import { readFileSync } from "node:fs";
import { loadClips } from "@earshot/bench/corpus";
import { Engine } from "@earshot/engine";
import { afterAll, describe, expect, it } from "vitest";

/** The shortest clip of the set: this test is about loading, not recognition. */
const [shortest] = loadClips("ljspeech-dev").sort((a, b) => a.duration - b.duration);
const audio = readFileSync(shortest!.path);
const engine = new Engine({ workers: 1, idleUnloadSeconds: 0.5 });
afterAll(() => engine.close());

describe("idle unload", () => {
  it("lists a loaded model, then unloads it once unused for the idle time", async () => {
    expect(engine.status().loadedModels).toEqual([]);
    await engine.transcribe(audio);
    const [loaded] = engine.status().loadedModels;
    expect(loaded).toMatchObject({ model: engine.registry.defaultModel.name, worker: 0 });
    expect(loaded!.memoryMb).toBeGreaterThanOrEqual(0);
    for (let waited = 0; engine.status().loadedModels.length > 0 && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(engine.status().loadedModels).toEqual([]);
    // Unloaded is not gone: the next request loads it again.
    await engine.transcribe(audio);
    expect(engine.status().loadedModels).toHaveLength(1);
  });
});
