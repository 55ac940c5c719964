/**
 * Word confidences that mean what clients take them to mean — the chance that the word is right. PocketSphinx's
 * word posterior is not that: it is computed from a lattice that holds few alternatives, so most words come out
 * near 1 whether right or wrong. A monotone map, fitted on dev data, turns the posterior into the fraction of
 * words at that posterior that were right.
 */

/** Points (raw posterior, fraction right) of a non-decreasing map, in increasing raw order. */
export type CalibrationMap = ReadonlyArray<readonly [number, number]>;

/** `raw` through `map`: linear between its points, flat beyond its ends. */
export function calibrate(raw: number, map: CalibrationMap): number {
  const first = map[0];
  const last = map.at(-1);
  if (!first || !last) return raw;
  if (raw <= first[0]) return first[1];
  if (raw >= last[0]) return last[1];
  const upper = map.findIndex(([x]) => x >= raw);
  const [x0, y0] = map[upper - 1]!;
  const [x1, y1] = map[upper]!;
  return y0 + ((raw - x0) / (x1 - x0)) * (y1 - y0);
}
