/**
 * Plays speech while it is still arriving. MP3 goes through Media Source Extensions, chunk by chunk, so the
 * first sentence plays while the server synthesises the next; formats MSE cannot take (WAV, Ogg, FLAC in most
 * browsers) play once the last chunk is in. Either way every byte is kept, for download and the round trip.
 */
export interface Playback {
  /** Resolves with all the audio once the stream has ended. */
  done: Promise<Blob>;
  /** Whether playback started before the stream ended. */
  streamed: boolean;
}

export function play(audio: HTMLAudioElement, stream: ReadableStream<Uint8Array>, mimeType: string): Playback {
  // The previous playback's source (a MediaSource or a Blob) goes with it.
  if (audio.src.startsWith("blob:")) URL.revokeObjectURL(audio.src);
  const streamed = typeof MediaSource !== "undefined" && MediaSource.isTypeSupported(mimeType);
  return { streamed, done: streamed ? playSource(audio, stream, mimeType) : playWhole(audio, stream, mimeType) };
}

async function readAll(
  stream: ReadableStream<Uint8Array>,
  onChunk?: (chunk: Uint8Array<ArrayBuffer>) => Promise<void>,
) {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    const chunk = new Uint8Array(value);
    chunks.push(chunk);
    await onChunk?.(chunk);
  }
}

async function playWhole(audio: HTMLAudioElement, stream: ReadableStream<Uint8Array>, mimeType: string) {
  const blob = new Blob(await readAll(stream), { type: mimeType });
  audio.src = URL.createObjectURL(blob);
  await startPlaying(audio);
  return blob;
}

async function playSource(audio: HTMLAudioElement, stream: ReadableStream<Uint8Array>, mimeType: string) {
  const source = new MediaSource();
  audio.src = URL.createObjectURL(source);
  await new Promise((resolve) => source.addEventListener("sourceopen", resolve, { once: true }));
  const buffer = source.addSourceBuffer(mimeType);
  let started = false;
  const chunks = await readAll(stream, async (chunk) => {
    buffer.appendBuffer(chunk);
    await new Promise((resolve) => buffer.addEventListener("updateend", resolve, { once: true }));
    if (!started) {
      started = true;
      void startPlaying(audio);
    }
  });
  // Ends the stream, which gives the element its duration.
  if (source.readyState === "open") source.endOfStream();
  return new Blob(chunks, { type: mimeType });
}

/** Starts playback; a browser that refuses autoplay leaves the controls for the user to press. */
async function startPlaying(audio: HTMLAudioElement): Promise<void> {
  try {
    await audio.play();
  } catch {
    // NotAllowedError: the play button is there.
  }
}
