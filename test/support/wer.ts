import { wordErrorRate } from "@earshot/engine";

/** One transcript's word error rate against its reference, by the engine's scorer. */
export const werOf = (reference: string, hypothesis: string): number => wordErrorRate([{ reference, hypothesis }]);
