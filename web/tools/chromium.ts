/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads no browser of its own): a fresh profile
 * per launch, a fake microphone that plays a WAV file, and every console error and uncaught exception of the
 * page collected, for the end-to-end test and the screenshot script alike.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? "/usr/bin/chromium";

export interface LaunchOptions {
  /** A 16-bit PCM WAV the fake microphone plays once, from the moment the page opens it. */
  microphone?: string;
  viewport?: { width: number; height: number };
}

export interface Browser {
  context: BrowserContext;
  /** Console errors and uncaught exceptions of every page so far, as `url: text`. */
  errors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "earshot-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    // `%noloop`: the file is played once, then silence, so a transcript holds it once.
    ...(options.microphone ? [`--use-file-for-fake-audio-capture=${options.microphone}%noloop`] : []),
  ];
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    permissions: ["microphone"],
  });
  const errors: string[] = [];
  const watch = (page: Page): void => {
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`${message.location().url}: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`uncaught: ${error.stack ?? error.message}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  return {
    context,
    errors,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
