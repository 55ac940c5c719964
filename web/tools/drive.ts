/**
 * What a person does in each view of the console, as Playwright steps that find things by their labels and roles
 * (the way a screen reader would): shared by the end-to-end test, which checks the outcome, and the screenshot
 * script, which photographs it.
 */
import type { Locator, Page } from "playwright-core";

/** The words of a transcript as shown, in order, one space apart. */
async function wordsOf(transcript: Locator): Promise<string> {
  return (await transcript.locator(".word").allTextContents()).join(" ");
}

/** Opens `view` (`transcribe`, `live`, `jobs`, `speak`, `status`) of the console at `url`. */
export async function openView(page: Page, url: string, view: string): Promise<void> {
  await page.goto(`${url}#/${view}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
}

/** Picks `file`, starts the transcription and waits for the transcript; returns its text. */
export async function transcribeFile(page: Page, file: string, timeout = 120_000): Promise<string> {
  await page.getByLabel("Choose an audio file").setInputFiles(file);
  await page.getByRole("button", { name: "Transcribe", exact: true }).click();
  const transcript = page.locator(".transcript-text");
  await transcript.waitFor({ timeout });
  return wordsOf(transcript);
}

/**
 * Starts the microphone, waits until `until` holds of the committed text (then runs `beforeStop`, e.g. a
 * screenshot of the stream in progress), stops and waits for the connection to close.
 */
export async function liveMicrophone(
  page: Page,
  until: (finals: string) => boolean,
  { timeout = 120_000, beforeStop }: { timeout?: number; beforeStop?: () => Promise<void> } = {},
): Promise<string> {
  await page.getByRole("button", { name: "Start microphone" }).click();
  await page.getByRole("status").filter({ hasText: "Listening" }).waitFor({ timeout: 30_000 });
  const finals = async () =>
    (await page.locator(".live-text .final").allTextContents()).join(" ").replace(/\s+/g, " ").trim();
  const deadline = Date.now() + timeout;
  while (!until(await finals()) && Date.now() < deadline) await page.waitForTimeout(250);
  await beforeStop?.();
  await page.getByRole("button", { name: "Stop" }).click();
  await page.getByRole("status").filter({ hasText: "Stopped" }).waitFor({ timeout: 30_000 });
  return finals();
}

/** Submits `files` as jobs and waits until every one of them is listed as done. */
export async function submitJobs(page: Page, files: string[], timeout = 120_000): Promise<void> {
  await page.getByLabel("Choose audio files").setInputFiles(files);
  await page.getByRole("list", { name: "Uploads" }).waitFor({ state: "detached", timeout });
  await page
    .locator(".job-list .badge.queued, .job-list .badge.processing")
    .first()
    .waitFor({ state: "detached", timeout });
  const names = files.map((f) => f.split("/").at(-1)!);
  for (const name of names) {
    await page
      .getByRole("listitem")
      .filter({ hasText: name })
      .filter({ has: page.locator(".badge.done") })
      .first()
      .waitFor({ timeout });
  }
}

/** Opens the result of the job for `name`; returns the transcript's text. */
export async function openJob(page: Page, name: string): Promise<string> {
  await page
    .getByRole("button", { name: `Open ${name}` })
    .first()
    .click();
  const transcript = page.locator(".opened .transcript-text");
  await transcript.waitFor();
  return wordsOf(transcript);
}

/** Speaks `text` and waits until the audio element knows the audio's duration; returns it in seconds. */
export async function speak(page: Page, text: string, timeout = 120_000): Promise<number> {
  await page.getByLabel("Text", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Speak", exact: true }).click();
  const audio = page.locator("audio.player");
  await page.waitForFunction(
    (element) => element instanceof HTMLAudioElement && Number.isFinite(element.duration) && element.duration > 0,
    await audio.elementHandle(),
    { timeout },
  );
  return audio.evaluate((element) => (element as HTMLAudioElement).duration);
}

/** Sends what was just spoken back for transcription; returns what was heard. */
export async function roundTrip(page: Page, timeout = 120_000): Promise<string> {
  await page.getByRole("button", { name: "Transcribe what was spoken" }).click();
  const heard = page.getByRole("region", { name: "Round trip" }).locator("blockquote");
  await heard.waitFor({ timeout });
  return (await heard.textContent()) ?? "";
}
