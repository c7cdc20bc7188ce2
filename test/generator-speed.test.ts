/**
 * The fast generator (rotated sines, byte-written payloads) against the code it replaced, kept
 * here as the oracle: the same seed must give byte-identical payloads and dataset rows, since the
 * committed model, its evaluation figures and the JUnit fixtures were made with the oracle.
 */
import assert from 'node:assert/strict';
import { test } from './support/node-test.js';
import { CarSource } from '../src/generator/car-source.js';
import { GAUSSIAN_APPROX_ERROR, gaussianPairsApprox } from '../src/generator/fast-gaussian.js';
import { FAULT_KINDS, injectFault, type FaultKind } from '../src/generator/faults.js';
import { formatPayload, roundReadings } from '../src/generator/payload.js';
import { Sfc32, streamSeed, type Random } from '../src/generator/prng.js';
import { CarSignal, carSignalProfile, fastErrorBound, NORMAL_MAX, NORMAL_MIN, SENSOR_NOISE_SD, WINDOW_SIZE, type CarSignalProfile } from '../src/generator/signal.js';

// ---- The oracle: prng.ts, signal.ts, car-source.ts and formatPayload as they were. ----

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function oracleRandom(seed: number): Random {
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

function cleanValue(profile: CarSignalProfile, t: number): number {
  let value = profile.baseline;
  for (const c of profile.components) value += c.amplitude * Math.sin((2 * Math.PI * t) / c.period + c.phase);
  return value;
}

class OracleSource {
  private readonly random: Random;
  private readonly profile: CarSignalProfile;
  private t = 0;
  private eventId = 0;

  constructor(readonly carId: number, private readonly seed: number, private readonly anomalyRate: number) {
    this.random = oracleRandom(streamSeed(this.seed, carId));
    this.profile = carSignalProfile(this.random);
  }

  next(): { eventId: number; readings: Float64Array; fault?: FaultKind } {
    const readings = new Float64Array(WINDOW_SIZE);
    for (let i = 0; i < WINDOW_SIZE; i++, this.t++) {
      readings[i] = Math.min(NORMAL_MAX, Math.max(NORMAL_MIN, cleanValue(this.profile, this.t) + SENSOR_NOISE_SD * this.random.gaussian()));
    }
    this.eventId += 1;
    if (this.random.next() < this.anomalyRate) {
      const fault = this.random.pick(FAULT_KINDS);
      injectFault(fault, readings, this.random);
      return { eventId: this.eventId, readings, fault };
    }
    return { eventId: this.eventId, readings };
  }
}

function oracleFormat(eventId: number, readings: ArrayLike<number>): string {
  const parts = new Array<string>(readings.length);
  for (let i = 0; i < readings.length; i++) parts[i] = readings[i]!.toFixed(2);
  return `${eventId},${parts.join('# ')}`;
}

// ---- The comparisons. ----

function compareCars(seed: number, carIds: readonly number[], windows: number, anomalyRate: number): void {
  const pairs = carIds.map((id) => [new CarSource(id, { seed, anomalyRate, anomalyKinds: FAULT_KINDS }), new OracleSource(id, seed, anomalyRate)] as const);
  for (let k = 0; k < windows; k++) {
    for (const [source, oracle] of pairs) {
      const got = source.next();
      const want = oracle.next();
      const where = `seed ${seed} car ${source.carId} window ${k + 1}`;
      assert.equal(got.fault, want.fault, where);
      assert.equal(formatPayload(got.eventId, got.readings), oracleFormat(want.eventId, want.readings), where);
      assert.deepEqual(roundReadings(got.readings), roundReadings(want.readings), where);
    }
  }
}

test('payloads and dataset rows are byte-identical to the oracle: 200 cars x 50 windows, 30% faults', () => {
  const cars = Array.from({ length: 200 }, (_, i) => i + 1);
  for (const seed of [1, 4242]) compareCars(seed, cars, 50, 0.3);
});

test('and still identical a million readings into a run', () => {
  compareCars(7, [3, 1000, 99_999], 5000, 0.3);
});

test('the fast sines stay far within the error bound the generator checks against', () => {
  let worst = 0;
  for (const carId of [1, 2, 3]) {
    const fast = CarSignal.forCar(11, carId);
    const exact = CarSignal.forCar(11, carId);
    for (let k = 0; k < 5000; k++) {
      const a = fast.nextWindow();
      const b = exact.nextWindow(true);
      assert.equal(exact.errorBound, 0);
      for (let i = 0; i < WINDOW_SIZE; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / fast.errorBound);
    }
  }
  assert.ok(worst < 0.1, `error up to ${worst} of the bound`);
  assert.ok(fastErrorBound(1e6) < 1e-8);
});

test('table-based Box-Muller stays far within its bound, at the edges of u and v too', () => {
  const TWO_32 = 4294967296;
  const edges = [1, 2, 3, 2 ** 16, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, TWO_32 - 2, TWO_32 - 1];
  const random = new Sfc32(3);
  const uniform = (): number => Math.floor(random.next() * TWO_32);
  const pairs: [number, number][] = [];
  for (const u of edges) for (const v of [0, 1, 2 ** 22 - 1, 2 ** 22, 2 ** 30, 2 ** 31, TWO_32 - 1]) pairs.push([u, v]);
  for (let i = 0; i < 200_000; i++) pairs.push([uniform() || 1, uniform()]);
  const draws = Uint32Array.from(pairs.flat());
  const out = new Float64Array(draws.length);
  assert.equal(gaussianPairsApprox(draws, pairs.length, out, 0), true);
  let worst = 0;
  pairs.forEach(([u, v], k) => {
    // Exactly as Sfc32.gaussian() computes them.
    const r = Math.sqrt(-2 * Math.log(u / TWO_32));
    worst = Math.max(worst, Math.abs(out[2 * k]! - r * Math.cos(2 * Math.PI * (v / TWO_32))), Math.abs(out[2 * k + 1]! - r * Math.sin(2 * Math.PI * (v / TWO_32))));
  });
  assert.ok(worst < GAUSSIAN_APPROX_ERROR / 5, `error up to ${worst}`);
  assert.equal(gaussianPairsApprox(Uint32Array.from([5, 6, 0, 7]), 2, out, 0), false, 'a u of 0 is left to gaussian()');
});

test('gaussiansApprox draws what gaussian() calls would and leaves the same state, spares and odd counts included', () => {
  for (const length of [0, 1, 2, 209, 210]) {
    for (const spareFirst of [false, true]) {
      const fast = new Sfc32(length + 17);
      const exact = new Sfc32(length + 17);
      if (spareFirst) assert.equal(fast.gaussian(), exact.gaussian());
      const got = new Float64Array(length);
      fast.gaussiansApprox(got);
      for (let i = 0; i < length; i++) assert.ok(Math.abs(got[i]! - exact.gaussian()) < GAUSSIAN_APPROX_ERROR, `length ${length} value ${i}`);
      assert.equal(fast.gaussian(), exact.gaussian(), `length ${length}: the next gaussian, spare or not`);
      assert.equal(fast.next(), exact.next(), `length ${length}: the state after`);
    }
  }
  // A state whose next draw is 0 (a + b + d = 0), which gaussian() rejects: the pairs are redone exactly.
  const zeroNext = { a: 0, b: 0, c: 12345, d: 0, spare: 0, hasSpare: false } as unknown as Sfc32;
  const fast = new Sfc32(1);
  const exact = new Sfc32(1);
  fast.copyFrom(zeroNext);
  exact.copyFrom(zeroNext);
  const got = new Float64Array(WINDOW_SIZE);
  fast.gaussiansApprox(got);
  assert.deepEqual([...got], Array.from({ length: WINDOW_SIZE }, () => exact.gaussian()));
  assert.equal(fast.next(), exact.next());
});

test('rewind redraws the last window exactly, and the car carries on as if it had been exact', () => {
  const redone = CarSignal.forCar(5, 9);
  const exact = CarSignal.forCar(5, 9);
  for (let k = 0; k < 20; k++) {
    redone.nextWindow();
    redone.random.gaussian(); // an odd draw, as a noise fault makes: the spare must come back too
    redone.rewind();
    assert.deepEqual(redone.nextWindow(true), exact.nextWindow(true), `window ${k + 1}`);
  }
});

test('formatPayload writes exactly what toFixed(2) and join give, ties and odd values included', () => {
  const ties = [2.005, 4.125, 7.995, 1.005, 8.345, 1.115, 9.995, 0.005, 3.675];
  const eighths = Array.from({ length: 80 }, (_, i) => i / 8);
  const hundredths = Array.from({ length: 2000 }, (_, i) => (i + 0.5) / 200);
  const odd = [0, -0, 1, 9, 9.9949999, 9.99500001, 10, 12.5, 123.456, -0.001, -3.14159, 1e21, NaN, Infinity, 5e-324];
  const random = Array.from({ length: 50_000 }, () => 1 + 8 * Math.random());
  const values = [...ties, ...eighths, ...hundredths, ...odd, ...random];
  // Neighbours of every tie: one ulp either side.
  const neighbours = values.flatMap((v) => [v, nextUp(v), nextDown(v)]);
  for (let at = 0; at < neighbours.length; at += WINDOW_SIZE) {
    const readings = neighbours.slice(at, at + WINDOW_SIZE);
    assert.equal(formatPayload(at, readings), oracleFormat(at, readings));
    assert.deepEqual(roundReadings(readings), readings.map((v) => Math.round(v * 100) / 100));
  }
  assert.equal(formatPayload(Number.MAX_SAFE_INTEGER, [4.125]), oracleFormat(Number.MAX_SAFE_INTEGER, [4.125]));
});

function nextUp(v: number): number {
  return neighbour(v, 1);
}

function nextDown(v: number): number {
  return neighbour(v, -1);
}

/** The adjacent double in the direction of `sign` (for finite positive v; others are returned as they are). */
function neighbour(v: number, sign: 1 | -1): number {
  if (!(v > 0) || !Number.isFinite(v)) return v;
  const bits = new BigUint64Array(new Float64Array([v]).buffer);
  bits[0] = bits[0]! + BigInt(sign);
  return new Float64Array(bits.buffer)[0]!;
}
