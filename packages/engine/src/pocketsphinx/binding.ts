/**
 * PocketSphinx through koffi, a foreign-function interface, over Debian's `libpocketsphinx3`.
 *
 * Why FFI and not an N-API addon: the C library is packaged, maintained and security-patched by Debian, koffi
 * ships prebuilt for Node 20 inside its npm package, and nothing needs compiling at install time — so a fresh
 * machine needs `apt-get install libpocketsphinx3` and `npm ci`, no toolchain. The API surface we call is
 * a dozen plain C functions, which is where FFI is at its best.
 */
import koffi from "koffi";

/** Opaque native handles of one decoder and the configuration it was built from. */
export interface Decoder {
  ps: unknown;
  config: unknown;
}

/** One word (or filler) of a hypothesis: first and last frame, log posterior turned into a probability. */
export interface Segment {
  word: string;
  startFrame: number;
  endFrame: number;
  probability: number;
}

export interface PocketSphinxLib {
  createDecoder(args: string[]): Decoder;
  /** {@link createDecoder} on a thread of libuv's pool, so the calling thread keeps serving (~0.4 s). */
  createDecoderAsync(args: string[]): Promise<Decoder>;
  /**
   * Resets what the front end carries from one utterance to the next (its noise-removal estimates). Without it
   * the same audio decodes differently depending on what the decoder heard before.
   */
  startStream(decoder: Decoder): void;
  startUtt(decoder: Decoder): void;
  processRaw(decoder: Decoder, pcm: Int16Array, fullUtterance: boolean): void;
  /** {@link processRaw} on a thread of libuv's pool, for a decoder no other thread is using meanwhile. */
  processRawAsync(decoder: Decoder, pcm: Int16Array): Promise<void>;
  endUtt(decoder: Decoder): void;
  /** Segments of the best hypothesis. */
  segments(decoder: Decoder): Segment[];
  /** A dictionary word's phones ("P R IH N T IH NG"), or undefined when the dictionary lacks it. */
  lookupWord(decoder: Decoder, word: string): string | undefined;
  /**
   * Adds `word` to the dictionary with `phones` and to the language model as a unigram of probability
   * `weight / vocabulary size` — the one knob the n-gram model has for a word it has no statistics for.
   * `word` must be new to both. False when the decoder refuses it (an unknown phone).
   */
  addWord(decoder: Decoder, word: string, phones: string, weight: number): boolean;
  /**
   * The live cepstral-mean normalisation state the front end carries from one utterance to the next, or
   * undefined when this build of sphinxbase lays its feature structure out differently from the one we read.
   */
  cmnState(decoder: Decoder): CmnState | undefined;
  /** Puts back a state {@link cmnState} returned (from any decoder of the same model). */
  setCmnState(decoder: Decoder, state: CmnState): void;
  /**
   * Transforms the acoustic model's means by the MLLR transform in file `path` (SphinxTrain's `mllr_solve`
   * format) until the next call. The decoder transforms the means it loads from its model files, so a transform
   * replaces the one before rather than adding to it.
   */
  applyMllr(decoder: Decoder, path: string): void;
  free(decoder: Decoder): void;
}

interface CmnFields {
  cmn_mean: unknown;
  cmn_var: unknown;
  sum: unknown;
  nframe: number;
  veclen: number;
}

/** sphinxbase's `cmn_t` contents: the running mean subtracted from each cepstrum and what it is computed from. */
export interface CmnState {
  mean: Float32Array;
  sum: Float32Array;
  frames: number;
}

let loaded: PocketSphinxLib | undefined;

/**
 * Loads the libraries once per thread. Their names can be overridden for other distributions (e.g. a
 * self-built pocketsphinx 0.8); the first call's names win.
 */
export function loadPocketSphinx(
  libPocketSphinx = "libpocketsphinx.so.3",
  libSphinxBase = "libsphinxbase.so.3",
): PocketSphinxLib {
  if (loaded) return loaded;
  const sb = koffi.load(libSphinxBase);
  const ps = koffi.load(libPocketSphinx);
  // sphinxbase logs through one process-wide FILE, which `ps_init` closes and reopens whenever a decoder's
  // arguments name a `-logfn`: with decoders built on one thread while others decode (and log) on another,
  // that is a use after free. Logging is switched off once instead, before any decoder exists.
  sb.func("void err_set_logfp(void* stream)")(null);
  const psArgs = ps.func("void* ps_args()");
  const cmdLnParse = sb.func("void* cmd_ln_parse_r(void* inout, void* defn, int argc, const char** argv, int strict)");
  const psInit = ps.func("void* ps_init(void* config)");
  const psFree = ps.func("int ps_free(void* ps)");
  const cmdLnFree = sb.func("int cmd_ln_free_r(void* config)");
  const psStartStream = ps.func("int ps_start_stream(void* ps)");
  const psStartUtt = ps.func("int ps_start_utt(void* ps)");
  const psProcessRaw = ps.func(
    "int ps_process_raw(void* ps, const int16_t* data, size_t n, int no_search, int full_utt)",
  );
  const psEndUtt = ps.func("int ps_end_utt(void* ps)");
  const psSegIter = ps.func("void* ps_seg_iter(void* ps)");
  const psSegNext = ps.func("void* ps_seg_next(void* seg)");
  const psSegWord = ps.func("const char* ps_seg_word(void* seg)");
  const psSegFrames = ps.func("void ps_seg_frames(void* seg, _Out_ int* sf, _Out_ int* ef)");
  const psSegProb = ps.func(
    "int32_t ps_seg_prob(void* seg, _Out_ int32_t* ascr, _Out_ int32_t* lscr, _Out_ int32_t* lback)",
  );
  const psGetLogmath = ps.func("void* ps_get_logmath(void* ps)");
  const psLookupWord = ps.func("const char* ps_lookup_word(void* ps, const char* word)");
  const psGetSearch = ps.func("const char* ps_get_search(void* ps)");
  const psGetLm = ps.func("void* ps_get_lm(void* ps, const char* name)");
  const psAddWord = ps.func("int ps_add_word(void* ps, const char* word, const char* phones, int update)");
  const ngramModelAddWord = sb.func("int ngram_model_add_word(void* model, const char* word, float weight)");
  const logmathExp = sb.func("double logmath_exp(void* lmath, int logb_p)");
  const psGetFeat = ps.func("void* ps_get_feat(void* ps)");
  const psMllrRead = ps.func("void* ps_mllr_read(const char* path)");
  // The decoder keeps the transform and frees the one it replaces.
  const psUpdateMllr = ps.func("void* ps_update_mllr(void* ps, void* mllr)");
  // The head of sphinxbase's `feat_t` up to its `cmn_struct` pointer, and its `cmn_t`: there is no accessor for
  // the live CMN state (cmn_live_set overwrites the sum and frame count with an approximation), so it is read
  // and written in place. `cepsize` and `veclen` must agree (13), which catches a different layout.
  const FeatHead = koffi.struct("earshot_feat_head", {
    refcount: "int",
    name: "void*",
    cepsize: "int32",
    n_stream: "int32",
    stream_len: "void*",
    window_size: "int32",
    n_sv: "int32",
    sv_len: "void*",
    subvecs: "void*",
    sv_buf: "void*",
    sv_dim: "int32",
    cmn: "int",
    varnorm: "int32",
    agc: "int",
    compute_feat: "void*",
    cmn_struct: "void*",
  });
  const Cmn = koffi.struct("earshot_cmn", {
    cmn_mean: "void*",
    cmn_var: "void*",
    sum: "void*",
    nframe: "int32",
    veclen: "int32",
  });
  const cmnOf = (decoder: Decoder) => {
    const feat = psGetFeat(decoder.ps);
    const head = feat && koffi.decode(feat, FeatHead);
    if (!head?.cmn_struct) return undefined;
    const cmn = koffi.decode(head.cmn_struct, Cmn);
    if (!cmn || cmn.veclen !== head.cepsize || cmn.veclen <= 0 || cmn.veclen > 64 || !cmn.cmn_mean || !cmn.sum) {
      return undefined;
    }
    return { pointer: head.cmn_struct as unknown, fields: cmn as CmnFields };
  };

  const check = (rc: number, what: string): void => {
    if (rc < 0) throw new Error(`pocketsphinx ${what} failed (${rc})`);
  };

  const parse = (args: string[]): unknown => {
    const config = cmdLnParse(null, psArgs(), args.length, args, 1);
    if (!config) throw new Error(`pocketsphinx rejected its arguments: ${args.join(" ")}`);
    return config;
  };
  const initialised = (config: unknown, ps: unknown): Decoder => {
    if (!ps) {
      cmdLnFree(config);
      throw new Error("pocketsphinx could not load its model (check the -hmm, -lm and -dict paths)");
    }
    return { ps, config };
  };
  const onPool = <T>(call: (done: (err: unknown, result: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => call((err, result) => (err ? reject(err) : resolve(result))));

  loaded = {
    createDecoder(args) {
      const config = parse(args);
      return initialised(config, psInit(config));
    },
    async createDecoderAsync(args) {
      const config = parse(args);
      return initialised(config, await onPool<unknown>((done) => psInit.async(config, done)));
    },
    startStream: (decoder) => check(psStartStream(decoder.ps), "start_stream"),
    startUtt: (decoder) => check(psStartUtt(decoder.ps), "start_utt"),
    processRaw: (decoder, pcm, fullUtterance) =>
      check(psProcessRaw(decoder.ps, pcm, pcm.length, 0, fullUtterance ? 1 : 0), "process_raw"),
    processRawAsync: async (decoder, pcm) =>
      check(await onPool<number>((done) => psProcessRaw.async(decoder.ps, pcm, pcm.length, 0, 0, done)), "process_raw"),
    endUtt: (decoder) => check(psEndUtt(decoder.ps), "end_utt"),
    segments(decoder) {
      const logmath = psGetLogmath(decoder.ps);
      const out: Segment[] = [];
      for (let seg = psSegIter(decoder.ps); seg; seg = psSegNext(seg)) {
        const sf = [0];
        const ef = [0];
        psSegFrames(seg, sf, ef);
        const logProb = psSegProb(seg, [0], [0], [0]);
        out.push({
          word: psSegWord(seg) as string,
          startFrame: sf[0]!,
          endFrame: ef[0]!,
          probability: logmathExp(logmath, logProb) as number,
        });
      }
      return out;
    },
    lookupWord: (decoder, word) => (psLookupWord(decoder.ps, word) as string | null) ?? undefined,
    addWord(decoder, word, phones, weight) {
      // The unigram goes in first, with its weight; ps_add_word then finds the word in the model and adds it to
      // the dictionary and the search (it would otherwise add the unigram itself, at weight 1).
      const lm = psGetLm(decoder.ps, psGetSearch(decoder.ps));
      if (!lm || ngramModelAddWord(lm, word, weight) < 0) return false;
      return psAddWord(decoder.ps, word, phones, 1) >= 0;
    },
    cmnState(decoder) {
      const cmn = cmnOf(decoder)?.fields;
      if (!cmn) return undefined;
      return {
        mean: Float32Array.from(koffi.decode(cmn.cmn_mean, "float", cmn.veclen) as number[]),
        sum: Float32Array.from(koffi.decode(cmn.sum, "float", cmn.veclen) as number[]),
        frames: cmn.nframe,
      };
    },
    setCmnState(decoder, state) {
      const cmn = cmnOf(decoder);
      const fields = cmn?.fields;
      if (!fields || fields.veclen !== state.mean.length) {
        throw new Error("pocketsphinx CMN state does not fit this decoder");
      }
      koffi.encode(fields.cmn_mean, "float", Array.from(state.mean), fields.veclen);
      koffi.encode(fields.sum, "float", Array.from(state.sum), fields.veclen);
      koffi.encode(cmn.pointer, Cmn, { ...fields, nframe: state.frames });
    },
    applyMllr(decoder, path) {
      const mllr = psMllrRead(path);
      if (!mllr) throw new Error(`pocketsphinx could not read the MLLR transform ${path}`);
      if (!psUpdateMllr(decoder.ps, mllr)) throw new Error("pocketsphinx could not apply an MLLR transform");
    },
    free(decoder) {
      psFree(decoder.ps);
      cmdLnFree(decoder.config);
    },
  };
  return loaded;
}
