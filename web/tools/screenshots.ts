/**
 * `npm run screenshots`: every view of the console in use — a file transcribed with a word highlighted, the
 * microphone streaming a recording, jobs done with one opened, speech synthesised and heard back, the status —
 * at desktop (1280×800) and phone (390×844) widths, as PNGs in `.earshot/screenshots/` at the repository's
 * root. It runs its own `earshot serve` on a free port with a throw-away data directory, and plays recordings
 * of the shared speech set (`EARSHOT_SHARED`, default `../shared`) as the file, the jobs and the microphone.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { liveMicrophone, openJob, openView, roundTrip, speak, submitJobs, transcribeFile } from "./drive.js";

const root = resolve(fileURLToPath(import.meta.url), "../../../..");
const shared = join(resolve(root, process.env.EARSHOT_SHARED ?? "../shared"), "audio");
const audio = join(shared, "misc");
const outDir = join(root, ".earshot/screenshots");
const WIDTHS = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
];

/** `earshot serve` on a free port; resolves with its URL once it listens. */
function serve(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(root, "packages/cli/bin/earshot.js"), "serve", "--port", "0", "--data-dir", dataDir],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, EARSHOT_LOG_LEVEL: "warn" } },
  );
  return new Promise((resolveUrl, reject) => {
    let output = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const match = /earshot listening on (\S+)/.exec(output);
      if (match) resolveUrl({ url: match[1]!, child });
    });
    child.on("exit", (code) => reject(new Error(`earshot serve exited (${code}) before listening:\n${output}`)));
  });
}

async function shoot(page: Page, width: string, view: string): Promise<void> {
  const path = join(outDir, `${view}-${width}.png`);
  // The header is sticky: at any other scroll position it would sit in the middle of a full-page picture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  console.log(path);
}

const dataDir = mkdtempSync(join(tmpdir(), "earshot-screenshots-"));
const { url, child } = await serve(dataDir);
mkdirSync(outDir, { recursive: true });
try {
  for (const { name, viewport } of WIDTHS) {
    const browser = await launchChromium({ microphone: join(shared, "ljspeech-dev/LJ001-0001.wav"), viewport });
    try {
      const page = await browser.newPage();
      await openView(page, url, "transcribe");
      await shoot(page, name, "transcribe-empty");
      await transcribeFile(page, join(audio, "1089-134686-0000.wav"));
      // A word lit up, as while the audio plays.
      await page.locator("audio.player").evaluate((element: HTMLAudioElement) => {
        element.currentTime = 3.1;
      });
      await page.locator(".word.current").waitFor();
      await shoot(page, name, "transcribe");

      await openView(page, url, "live");
      await liveMicrophone(page, (finals) => finals.split(" ").length >= 8, {
        beforeStop: () => shoot(page, name, "live"),
      });

      await openView(page, url, "jobs");
      const jobs = ["1089-134691-0000.wav", "1089-134691-0001.wav", "sense_and_sensibility_01_austen_64kb-0880.wav"];
      await submitJobs(
        page,
        jobs.map((f) => join(audio, f)),
      );
      await openJob(page, jobs[1]!);
      await shoot(page, name, "jobs");

      await openView(page, url, "speak");
      await speak(page, "Earshot speaks with the voices installed on this server. Then it listens again.");
      await roundTrip(page);
      await shoot(page, name, "speak");

      await openView(page, url, "status");
      await page.getByRole("table").first().waitFor();
      await shoot(page, name, "status");
      if (browser.errors.length > 0) console.error(`console errors at ${name} width:\n${browser.errors.join("\n")}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGINT");
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
