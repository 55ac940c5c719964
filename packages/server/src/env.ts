/** Reading `EARSHOT_*` settings: one parser for every config module. */
export const env = process.env;

/** A number from the environment, or `fallback` when unset, empty or not a number. */
export const envNumber = (value: string | undefined, fallback: number): number =>
  value !== undefined && value !== "" && Number.isFinite(Number(value)) ? Number(value) : fallback;
