/**
 * Handing freed native memory back to the system. A PocketSphinx decoder is ~80 MB of small allocations; once
 * freed, glibc keeps the pages in its arenas for reuse, so resident memory stayed at its peak after a burst of
 * speaking streams ended. glibc's `malloc_trim(0)` returns the free pages of every arena; Node does not expose
 * it, but koffi (already loaded for PocketSphinx) can call it. Elsewhere (musl, macOS) there is nothing to call.
 */
import koffi from "koffi";

let trim: (() => void) | null | undefined;

/** Returns free heap pages to the system, where the C library can (glibc); otherwise does nothing. */
export function releaseFreedMemory(): void {
  if (trim === undefined) {
    try {
      const mallocTrim = koffi.load("libc.so.6").func("int malloc_trim(size_t pad)");
      trim = () => mallocTrim(0);
    } catch {
      trim = null;
    }
  }
  trim?.();
}
