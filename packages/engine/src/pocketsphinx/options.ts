/** How the built-in PocketSphinx architecture is configured (`EngineOptions.pocketsphinx`). */

/**
 * Which PocketSphinx passes live finals get. `fast` (the forward tree search, then the best path through its
 * lattice) finalises in a few ms; `full` adds the flat-lexicon pass, 270 ms (p50) / 446 ms (p95) more to finalise
 * and no better (22.6 against 22.1 % WER on 32 LJ clips, bench/live).
 */
export type LivePasses = "fast" | "full";

export interface PocketSphinxOptions {
  /** The C library, a name the dynamic loader finds or a path. Default `libpocketsphinx.so.3` (Debian). */
  library?: string;
  /** Its companion library. Default `libsphinxbase.so.3`. */
  sphinxbase?: string;
  /** Passes for live finals. Default `fast`. */
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
