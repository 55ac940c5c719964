/** How the built-in PocketSphinx architecture is configured (`EngineOptions.pocketsphinx`). */

/**
 * Which PocketSphinx passes live finals get. `fast` (forward tree search only) finalises in ~9 ms; `full` adds
 * the flat-lexicon and best-path passes, ~1.8 WER points better but 270 ms (p50) / 446 ms (p95) to finalise.
 */
export type LivePasses = "fast" | "full";

export interface PocketSphinxOptions {
  /** The C library, a name the dynamic loader finds or a path. Default `libpocketsphinx.so.3` (Debian). */
  library?: string;
  /** Its companion library. Default `libsphinxbase.so.3`. */
  sphinxbase?: string;
  /** Passes for live finals. Default `fast`: finals 9 ms after the endpoint, at about +1.8 WER points. */
  livePasses?: LivePasses;
  /**
   * 16 kHz WAV speech that warms up new live decoders. Default: a sentence synthesised once per worker with
   * Debian's flite; without flite (and without this file) decoders start cold.
   */
  warmupSample?: string;
  /**
   * More PocketSphinx command-line arguments for the batch decoder (`["-lw", "8", "-beam", "1e-60"]`), applied
   * over the model's files and defaults. For experiments (bench/src/tune.ts) and deployments that measured their own.
   */
  decoderArgs?: string[];
}
