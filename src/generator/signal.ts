import { createRandom, streamSeed, type Random } from './prng.js';

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

/** Noise-free value of the trace at reading index t (t counts readings since the car started). */
export function cleanValue(profile: CarSignalProfile, t: number): number {
  let value = profile.baseline;
  for (const c of profile.components) value += c.amplitude * Math.sin((2 * Math.PI * t) / c.period + c.phase);
  return value;
}

export function clampNormal(value: number): number {
  return Math.min(NORMAL_MAX, Math.max(NORMAL_MIN, value));
}

/** Produces a car's consecutive normal windows; seeded by (seed, carId). */
export class CarSignal {
  readonly profile: CarSignalProfile;
  private t = 0;

  constructor(readonly random: Random) {
    this.profile = carSignalProfile(random);
  }

  static forCar(seed: number, carId: number): CarSignal {
    return new CarSignal(createRandom(streamSeed(seed, carId)));
  }

  /** The next 210 readings, continuing where the previous window ended. */
  nextWindow(): Float64Array {
    const window = new Float64Array(WINDOW_SIZE);
    for (let i = 0; i < WINDOW_SIZE; i++, this.t++) {
      window[i] = clampNormal(cleanValue(this.profile, this.t) + SENSOR_NOISE_SD * this.random.gaussian());
    }
    return window;
  }
}
