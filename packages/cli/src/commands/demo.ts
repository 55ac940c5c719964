/**
 * `earshot demo`: the Quick start. Starts the server, transcribes the sample the build synthesised with
 * flite (`samples/quickstart.wav`, never committed) through the SDK, prints what came back, and keeps
 * serving so the next request can be the user's own.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { EarshotClient } from "@earshot/sdk";
import { startServer } from "@earshot/server";
import type { Command } from "commander";
import { port } from "../flags.js";
import { runUntilStopped } from "../lifetime.js";

const SAMPLE = fileURLToPath(new URL("../../../../samples/quickstart.wav", import.meta.url));

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("Start the server and transcribe the built-in sample through it.")
    .option("--port <port>", "port to listen on, default 8080 (EARSHOT_PORT)", port)
    .option("--file <path>", "audio to transcribe instead of the sample", SAMPLE)
    .option("--exit", "stop after the transcription instead of serving on")
    .action(async (flags: { port?: number; file: string; exit?: boolean }) => {
      const server = await startServer({ ...(flags.port !== undefined ? { port: flags.port } : {}), logLevel: "warn" });
      const client = new EarshotClient({ baseUrl: server.url, apiKey: server.config.apiKeys[0] ?? "" });
      const started = performance.now();
      const response = await client.listen.v1.media.transcribeFile(await readFile(flags.file), { utterances: true });
      const seconds = (performance.now() - started) / 1000;
      const { transcript, confidence } = response.results.channels[0]!.alternatives[0]!;
      process.stdout.write(
        [
          `Earshot ${flags.exit ? "ran" : "is listening"} on ${server.url} (model ${server.engine.registry.defaultModel.name}).`,
          `Transcribed ${flags.file} (${response.metadata.duration.toFixed(1)} s of audio in ${seconds.toFixed(2)} s):`,
          `  "${transcript}"  (confidence ${confidence.toFixed(2)})`,
          "",
          ...(flags.exit
            ? []
            : [
                `Try your own: curl -X POST --data-binary @your.wav '${server.url}/v1/listen?utterances=true'`,
                "The server keeps running; Ctrl-C stops it.",
                "",
              ]),
        ].join("\n"),
      );
      if (flags.exit) await server.close();
      else runUntilStopped(() => server.close());
    });
}
