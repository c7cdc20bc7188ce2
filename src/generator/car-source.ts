import { injectFault, type FaultKind } from './faults.js';
import { roundsUnambiguously } from './payload.js';
import { CarSignal } from './signal.js';

export interface CarWindow {
  carId: number;
  /** The car's sequence number, starting at 1. */
  eventId: number;
  /** The car's own buffer, overwritten by its next window: format or copy it before asking again. */
  readings: Float64Array;
  /** The injected fault, or undefined for a normal window. */
  fault?: FaultKind;
}

export interface CarSourceOptions {
  seed: number;
  anomalyRate: number;
  anomalyKinds: readonly FaultKind[];
}

/**
 * One simulated car's stream of windows. Everything it draws comes from the car's own seeded
 * stream, so the same (seed, carId, options) give the same windows, byte for byte.
 */
export class CarSource {
  private readonly signal: CarSignal;
  private eventId = 0;

  constructor(readonly carId: number, private readonly options: CarSourceOptions) {
    this.signal = CarSignal.forCar(options.seed, carId);
  }

  next(): CarWindow {
    this.eventId += 1;
    const fast = this.withFault(this.signal.nextWindow());
    if (roundsUnambiguously(fast.readings, this.signal.errorBound)) return fast;
    // A reading is within the fast sines' error of a rounding boundary: only the exact window is
    // sure to give the same payload and dataset row as always. Rare: about 1 window in 10^6 at
    // the start of a run, 1 in 10^4 a million readings in (the bound grows with t).
    this.signal.rewind();
    return this.withFault(this.signal.nextWindow(true));
  }

  private withFault(readings: Float64Array): CarWindow {
    const random = this.signal.random;
    const { anomalyRate, anomalyKinds } = this.options;
    const roll = random.next();
    if (anomalyKinds.length > 0 && roll < anomalyRate) {
      const fault = random.pick(anomalyKinds);
      injectFault(fault, readings, random);
      return { carId: this.carId, eventId: this.eventId, readings, fault };
    }
    return { carId: this.carId, eventId: this.eventId, readings };
  }
}
