/**
 * Small, fast, seedable randomness. Every car draws from its own stream derived from (seed, carId),
 * so a car's payloads do not depend on how cars are scheduled, sharded or multiplexed.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(min: number, max: number): number;
  int(minInclusive: number, maxInclusive: number): number;
  /** Standard normal (Box-Muller). */
  gaussian(): number;
  pick<T>(items: readonly T[]): T;
}

/** splitmix32 finaliser: spreads nearby inputs (seed 1 vs 2, car 7 vs 8) over the whole state space. */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function streamSeed(seed: number, ...salts: number[]): number {
  let h = mix32(seed >>> 0 ^ 0x9e3779b9);
  for (const salt of salts) h = mix32(h ^ mix32((salt >>> 0) + 0x7f4a7c15));
  return h;
}

/** sfc32: 128-bit state, passes PractRand far beyond what a simulator needs. */
export function createRandom(seed: number): Random {
  let a = mix32(seed ^ 0xdeadbeef);
  let b = mix32(seed ^ 0x41c64e6d);
  let c = mix32(seed ^ 0x6c078965);
  let d = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  let spare: number | undefined;
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    gaussian() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    pick: (items) => items[Math.floor(next() * items.length)]!,
  };
}
