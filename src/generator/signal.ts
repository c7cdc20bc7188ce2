import { GAUSSIAN_APPROX_ERROR } from './fast-gaussian.js';
import { Sfc32, streamSeed, type Random } from './prng.js';

/** Readings per message, as in the seed tutorial's payload and the autoencoder's input layer. */
export const WINDOW_SIZE = 210;
/** Physical range of a normal reading (the seed's sample message lives in [2.1, 7.1]). */
export const NORMAL_MIN = 2;
export const NORMAL_MAX = 8;
/** Sensor noise: standard deviation of the jitter on every reading. */
export const SENSOR_NOISE_SD = 0.04;

interface Component {
  amplitude: number;
  /** Period in readings. */
  period: number;
  phase: number;
}

/**
 * A car's engine-temperature trace: the car's own baseline plus three slow sine components
 * (warm-up drift, load changes, thermostat cycling) and small Gaussian sensor noise. Time runs on
 * from one window to the next, so consecutive messages of a car join up like one long recording.
 */
export interface CarSignalProfile {
  baseline: number;
  components: readonly Component[];
}

/** Sine components per profile (rotatedSines runs exactly this many side by side). */
const COMPONENTS = 3;

export function carSignalProfile(random: Random): CarSignalProfile {
  return {
    baseline: random.uniform(4.6, 5.4),
    components: [
      { amplitude: random.uniform(0.6, 1.4), period: random.uniform(400, 900), phase: random.uniform(0, 2 * Math.PI) },
      { amplitude: random.uniform(0.3, 0.7), period: random.uniform(120, 240), phase: random.uniform(0, 2 * Math.PI) },
      { amplitude: random.uniform(0.15, 0.3), period: random.uniform(40, 70), phase: random.uniform(0, 2 * Math.PI) },
    ],
  };
}

const TWO_PI = 2 * Math.PI;

/**
 * Bound on how far a fast window's readings can be from the exact ones, t readings into the run.
 * The exact code rounds each sine argument (up to 0.16 t radians, t counting readings since the
 * car started) by up to 1.5 ulp, and the rotation's anchor likewise: 2 x 1.5 x 2.2e-16 x 0.16 t
 * per unit amplitude, times 2.4 (the largest amplitude sum), about 2.6e-16 t. The 209 rotation
 * steps add at most 4 roundings each (~1e-13), sums, clamps and faults a few ulps of 10 (~1e-14):
 * both far below the constant. The noise adds SENSOR_NOISE_SD x GAUSSIAN_APPROX_ERROR (4e-12).
 * generator-speed.test measures the real error against this bound.
 */
export function fastErrorBound(t: number): number {
  return 1e-11 + SENSOR_NOISE_SD * GAUSSIAN_APPROX_ERROR + 2e-15 * t;
}

/** The fast windows' noise, drawn before it is added; shared, as nextWindow runs to completion. */
const noise = new Float64Array(WINDOW_SIZE);

/** Produces a car's consecutive normal windows; seeded by (seed, carId). */
export class CarSignal {
  readonly profile: CarSignalProfile;
  readonly random: Sfc32;
  private t = 0;
  private windowStart = 0;
  /** The random state at the start of the current window, to draw it again (rewind). */
  private readonly checkpoint: Sfc32;
  private lastErrorBound = 0;
  /** Reused for every window: callers consume a window before asking for the next. */
  private readonly window = new Float64Array(WINDOW_SIZE);
  // The profile's components as flat arrays, and each one's rotation per reading.
  private readonly amplitudes: Float64Array;
  private readonly periods: Float64Array;
  private readonly phases: Float64Array;
  private readonly stepCos: Float64Array;
  private readonly stepSin: Float64Array;

  constructor(seed: number) {
    this.random = new Sfc32(seed);
    this.checkpoint = new Sfc32(seed);
    this.profile = carSignalProfile(this.random);
    const { components } = this.profile;
    this.amplitudes = Float64Array.from(components, (c) => c.amplitude);
    this.periods = Float64Array.from(components, (c) => c.period);
    this.phases = Float64Array.from(components, (c) => c.phase);
    this.stepCos = Float64Array.from(components, (c) => Math.cos(TWO_PI / c.period));
    this.stepSin = Float64Array.from(components, (c) => Math.sin(TWO_PI / c.period));
  }

  static forCar(seed: number, carId: number): CarSignal {
    return new CarSignal(streamSeed(seed, carId));
  }

  /** How far the last window's readings may be from the exact ones; 0 when exact. */
  get errorBound(): number {
    return this.lastErrorBound;
  }

  /**
   * The next 210 readings, continuing where the previous window ended; the array is overwritten by
   * the next call. By default the sines come from a rotation anchored at the window's first
   * reading (Math.sin per reading was 3/4 of a window's cost) and the noise from table-based
   * Box-Muller (fast-gaussian.ts), within errorBound of the exact values; `exact` computes
   * baseline + sum of amplitude * sin(2 pi t / period + phase) + noise, clamped to the normal range,
   * as the first version of this class did, operation for operation (the test keeps it as oracle).
   * Random draws and summation order are the same either way.
   */
  nextWindow(exact = false): Float64Array {
    const window = this.window;
    const t0 = this.t;
    this.windowStart = t0;
    this.checkpoint.copyFrom(this.random);
    if (exact) {
      this.exactSines(window, t0);
      for (let i = 0; i < WINDOW_SIZE; i++) noise[i] = this.random.gaussian();
    } else {
      this.rotatedSines(window, t0);
      this.random.gaussiansApprox(noise);
    }
    for (let i = 0; i < WINDOW_SIZE; i++) {
      const value = window[i]! + SENSOR_NOISE_SD * noise[i]!;
      // Not a ternary: V8 boxes the mix of integer constants and a double on the heap, per reading.
      window[i] = Math.min(NORMAL_MAX, Math.max(NORMAL_MIN, value));
    }
    this.t = t0 + WINDOW_SIZE;
    this.lastErrorBound = exact ? 0 : fastErrorBound(this.t);
    return window;
  }

  /** baseline + the sum of the components' sines, by Math.sin per reading. */
  private exactSines(window: Float64Array, t0: number): void {
    window.fill(this.profile.baseline);
    for (let k = 0; k < COMPONENTS; k++) {
      const amplitude = this.amplitudes[k]!;
      const period = this.periods[k]!;
      const phase = this.phases[k]!;
      for (let i = 0; i < WINDOW_SIZE; i++) window[i] += amplitude * Math.sin((TWO_PI * (t0 + i)) / period + phase);
    }
  }

  /**
   * The same sum, each sine by rotating (sin, cos) one reading on from Math's value at t0. The
   * three rotations run side by side: each step waits on its own multiplies, and three
   * independent chains overlap where one at a time would not. Summation order as in exactSines.
   */
  private rotatedSines(window: Float64Array, t0: number): void {
    const { amplitudes, periods, phases, stepCos, stepSin } = this;
    const a0 = amplitudes[0]!;
    const a1 = amplitudes[1]!;
    const a2 = amplitudes[2]!;
    const c0 = stepCos[0]!;
    const c1 = stepCos[1]!;
    const c2 = stepCos[2]!;
    const s0 = stepSin[0]!;
    const s1 = stepSin[1]!;
    const s2 = stepSin[2]!;
    let sin0 = Math.sin((TWO_PI * t0) / periods[0]! + phases[0]!);
    let cos0 = Math.cos((TWO_PI * t0) / periods[0]! + phases[0]!);
    let sin1 = Math.sin((TWO_PI * t0) / periods[1]! + phases[1]!);
    let cos1 = Math.cos((TWO_PI * t0) / periods[1]! + phases[1]!);
    let sin2 = Math.sin((TWO_PI * t0) / periods[2]! + phases[2]!);
    let cos2 = Math.cos((TWO_PI * t0) / periods[2]! + phases[2]!);
    const baseline = this.profile.baseline;
    for (let i = 0; i < WINDOW_SIZE; i++) {
      window[i] = baseline + a0 * sin0 + a1 * sin1 + a2 * sin2;
      const next0 = sin0 * c0 + cos0 * s0;
      cos0 = cos0 * c0 - sin0 * s0;
      sin0 = next0;
      const next1 = sin1 * c1 + cos1 * s1;
      cos1 = cos1 * c1 - sin1 * s1;
      sin1 = next1;
      const next2 = sin2 * c2 + cos2 * s2;
      cos2 = cos2 * c2 - sin2 * s2;
      sin2 = next2;
    }
  }

  /** Goes back to the start of the last window, random state included. */
  rewind(): void {
    this.t = this.windowStart;
    this.random.copyFrom(this.checkpoint);
  }
}
