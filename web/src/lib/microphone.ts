/**
 * The microphone as a stream of 16-bit PCM (`linear16`, mono): what `conn.audio` takes. An AudioWorklet cuts
 * the captured audio into 50 ms chunks off the main thread and measures each chunk's level for the meter.
 * Headerless PCM at a known rate is what lets the SDK replay exactly the audio no final result covered after
 * a reconnect.
 */

/** Runs in the audio rendering thread; loaded from a blob: URL, so it is plain JavaScript in a string. */
const CAPTURE_WORKLET = `
class EarshotCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.round(sampleRate / 20);
    this.buffer = new Int16Array(this.size);
    this.filled = 0;
    this.energy = 0;
  }
  process(inputs) {
    const samples = inputs[0] && inputs[0][0];
    if (!samples) return true;
    for (let i = 0; i < samples.length; i++) {
      const s = Math.max(-1, Math.min(1, samples[i]));
      this.energy += s * s;
      this.buffer[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === this.size) {
        this.port.postMessage({ pcm: this.buffer.buffer, rms: Math.sqrt(this.energy / this.size) }, [this.buffer.buffer]);
        this.buffer = new Int16Array(this.size);
        this.filled = 0;
        this.energy = 0;
      }
    }
    return true;
  }
}
registerProcessor("earshot-capture", EarshotCapture);
`;

export interface Microphone {
  /** linear16 mono at `sampleRate`; ends when `stop()` is called. */
  audio: ReadableStream<Uint8Array>;
  sampleRate: number;
  /** The latest chunk's level, dBFS (−100 for silence). */
  level(): number;
  /** Seconds of audio captured so far. */
  captured(): number;
  stop(): void;
}

/**
 * Asks for the microphone and starts capturing. 16 kHz is asked for, which is what the recognisers use and a
 * third of the bytes of 48 kHz; a browser that cannot resample the microphone gets its own rate instead.
 */
export async function openMicrophone(): Promise<Microphone> {
  const media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
  let context: AudioContext;
  let source: MediaStreamAudioSourceNode;
  try {
    context = new AudioContext({ sampleRate: 16000 });
    source = context.createMediaStreamSource(media);
  } catch {
    // Firefox refuses to connect a microphone to a context of another rate.
    context = new AudioContext();
    source = context.createMediaStreamSource(media);
  }
  const moduleUrl = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: "text/javascript" }));
  try {
    await context.audioWorklet.addModule(moduleUrl);
  } finally {
    URL.revokeObjectURL(moduleUrl);
  }
  const node = new AudioWorkletNode(context, "earshot-capture", { channelCount: 1, channelCountMode: "explicit" });
  let level = -100;
  let samples = 0;
  let stopped = false;
  let close = (): void => {};
  const audio = new ReadableStream<Uint8Array>({
    start(controller) {
      node.port.onmessage = (event: MessageEvent<{ pcm: ArrayBuffer; rms: number }>) => {
        if (stopped) return;
        const { pcm, rms } = event.data;
        level = rms > 0 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
        samples += pcm.byteLength / 2;
        controller.enqueue(new Uint8Array(pcm));
      };
      close = () => controller.close();
    },
  });
  source.connect(node);
  // A node must reach the destination to be rendered; the worklet writes no output, so this plays silence.
  node.connect(context.destination);
  await context.resume();
  return {
    audio,
    sampleRate: context.sampleRate,
    level: () => level,
    captured: () => samples / context.sampleRate,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const track of media.getTracks()) track.stop();
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      void context.close();
      close();
    },
  };
}
