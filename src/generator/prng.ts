import { gaussianPairsApprox } from './fast-gaussian.js';

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

/**
 * sfc32: 128-bit state, passes PractRand far beyond what a simulator needs. A class rather than a
 * closure: the hot loops call it ~400 times per window, and V8 keeps the Gaussian spare in an
 * object field without allocating, where a closure variable boxes it on every store.
 */
export class Sfc32 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    // `| 0` keeps the fields small integers; every use goes through 32-bit operations anyway.
    this.a = mix32(seed ^ 0xdeadbeef) | 0;
    this.b = mix32(seed ^ 0x41c64e6d) | 0;
    this.c = mix32(seed ^ 0x6c078965) | 0;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Takes over `other`'s state, so the same draws can be made again. */
  copyFrom(other: Sfc32): void {
    this.a = other.a;
    this.b = other.b;
    this.c = other.c;
    this.d = other.d;
    this.spare = other.spare;
    this.hasSpare = other.hasSpare;
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /**
   * The next `count` draws as next() makes them, times 2^32 (integers), into `out`. One loop over
   * local state: a call per draw that V8 does not inline returns each draw boxed on the heap.
   */
  private fillUint32(out: Uint32Array, count: number): void {
    let { a, b, c, d } = this;
    for (let i = 0; i < count; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      out[i] = t;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  gaussian(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Fills `out` with the values out.length gaussian() calls would return, leaving the same state
   * behind, each within GAUSSIAN_APPROX_ERROR (fast-gaussian.ts). A spare from before comes first
   * and an odd last value is drawn by gaussian(), so a spare left for later is always exact.
   */
  gaussiansApprox(out: Float64Array): void {
    let at = 0;
    if (this.hasSpare && out.length > 0) {
      this.hasSpare = false;
      out[at++] = this.spare;
    }
    const pairs = (out.length - at) >> 1;
    const { a, b, c, d } = this;
    if (draws.length < 2 * pairs) draws = new Uint32Array(2 * pairs);
    this.fillUint32(draws, 2 * pairs);
    if (!gaussianPairsApprox(draws, pairs, out, at)) {
      // A u of 0, which gaussian() rejects and draws again (once in ~10^7 windows): redo exactly.
      this.a = a;
      this.b = b;
      this.c = c;
      this.d = d;
      for (let i = at; i < at + 2 * pairs; i++) out[i] = this.gaussian();
    }
    if (at + 2 * pairs < out.length) out[out.length - 1] = this.gaussian();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Scratch for gaussiansApprox's raw draws; grown on demand, used within one call. */
let draws = new Uint32Array(256);

export function createRandom(seed: number): Random {
  return new Sfc32(seed);
}
