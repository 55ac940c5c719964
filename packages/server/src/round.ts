/** Three decimals, as every number on the wire carries them: seconds to the millisecond, fractions to 0.1 %. */
export const round3 = (n: number): number => Math.round(n * 1000) / 1000;
