import { setTimeout as sleep } from 'node:timers/promises';
import { EdgeMlError } from '../errors.js';
import type { BrokerAddress } from './broker-address.js';
import { CarConnection, type CarLogin, type QoS } from './car-connection.js';
import { CarSource, type CarSourceOptions } from './car-source.js';
import { clientIdFor, groupCars } from './fleet.js';
import type { LabelSink } from './label-writer.js';
import { Pacer } from './pacer.js';
import { RunStats, type RunSummary } from './run-stats.js';
import { SendQueue } from './send-queue.js';

/** Everything a publishing run needs, validated by the caller. */
export interface PublishPlan {
  broker: BrokerAddress;
  /** Every connection's login, unless credentials are given. */
  login?: CarLogin;
  /** Car N's own login is credentials[N - 1]; each car then has a connection of its own. */
  credentials?: readonly CarLogin[];
  carIds: readonly number[];
  topicOf(carId: number): string;
  clientPrefix: string;
  source: CarSourceOptions;
  /** Messages per second per car; 0 = as fast as acks allow. */
  rate: number;
  /** Messages per car; undefined = until the duration ends or stop(). */
  count?: number;
  durationS?: number;
  qos: QoS;
  /** MQTT connections the cars share (1 <= connections <= cars). */
  connections: number;
  /** Spread the connects over this many seconds. */
  rampS: number;
  /** Local addresses to bind connections to, round-robin; empty = the OS's choice. */
  sourceAddresses: readonly string[];
  maxInFlight: number;
  /** Wait for an unreachable broker instead of failing. */
  wait: boolean;
  labels?: LabelSink;
}

export interface RunReporter {
  info(message: string): void;
}

/** The start-up probe fails fast enough to exit within 5 s of an unreachable broker. */
const PROBE_TIMEOUT_MS = 4000;
/** Later connects may queue behind thousands of others at the broker. */
const CONNECT_TIMEOUT_MS = 30_000;
/** Connects in progress at once: more only overflows the broker's accept backlog. */
const MAX_PENDING_CONNECTS = 256;
/** How long to wait for outstanding acks once sending stops. */
const DRAIN_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5000;

/**
 * A publishing run: connect the fleet (first one connection as a probe, then the rest, bounded and
 * optionally ramped), send on schedule until the count or duration is reached or stop() is called,
 * drain the acks, disconnect. Sending starts for all cars together once the connect phase is over,
 * so the duration and the rate measure sending, not connecting.
 */
export class PublishRun {
  readonly stats: RunStats;
  private readonly connections: CarConnection[];
  /** Aborted by the first stop(): no more sending. */
  private readonly stopSending = new AbortController();
  /** Aborted by the second stop(): no more waiting for acks either. */
  private readonly stopDraining = new AbortController();

  constructor(private readonly plan: PublishPlan, private readonly reporter: RunReporter) {
    this.stats = new RunStats(plan.carIds.length);
    const sink = { stats: this.stats, labels: plan.labels, sendQueue: new SendQueue() };
    const settings = {
      broker: plan.broker,
      qos: plan.qos,
      maxInFlight: plan.maxInFlight,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    };
    this.connections = groupCars(plan.carIds, plan.connections).map((carIds, k) => {
      const lanes = carIds.map((carId) => ({ carId, topic: plan.topicOf(carId), source: new CarSource(carId, plan.source) }));
      const sourceAddress = plan.sourceAddresses.length > 0 ? plan.sourceAddresses[k % plan.sourceAddresses.length] : undefined;
      const connectTimeoutMs = k === 0 && !plan.wait ? PROBE_TIMEOUT_MS : CONNECT_TIMEOUT_MS;
      const login = plan.credentials ? plan.credentials[carIds[0]! - 1] : plan.login;
      return new CarConnection(clientIdFor(plan.clientPrefix, carIds), lanes, { ...settings, login, connectTimeoutMs }, sink, sourceAddress);
    });
  }

  /** True once stop() was called (Ctrl-C): the caller exits 130. */
  get interrupted(): boolean {
    return this.stopSending.signal.aborted;
  }

  /** First call: stop sending and drain; second call: stop draining too. */
  stop(): void {
    if (this.interrupted) this.stopDraining.abort();
    else this.stopSending.abort();
  }

  async run(): Promise<RunSummary> {
    try {
      await this.connectFleet();
      if (this.interrupted) return this.stats.summary(0);
      const started = performance.now();
      await this.send(started);
      await this.drain();
      return this.stats.summary((performance.now() - started) / 1000);
    } finally {
      await this.closeAll();
    }
  }

  private async connectFleet(): Promise<void> {
    const { plan } = this;
    const [probe, ...rest] = this.connections;
    probe!.start(plan.wait);
    const failure = await this.untilStopped(probe!.firstAttempt);
    if (failure) {
      if (!plan.wait) {
        throw new EdgeMlError(
          `cannot reach the MQTT broker at ${plan.broker.url}: ${failure.message}`,
          'start the platform (edge-ml up) or point --broker at a running broker; --wait waits for it to come up',
        );
      }
      this.reporter.info(`waiting for the MQTT broker at ${plan.broker.url} (${failure.message}) ...`);
      await this.untilStopped(probe!.firstConnect);
    }
    let pending = 0;
    let slotFreed: (() => void) | undefined;
    const rampStart = performance.now();
    for (let k = 0; k < rest.length && !this.interrupted; k++) {
      if (plan.rampS > 0) {
        const wait = rampStart + ((k + 1) * plan.rampS * 1000) / this.connections.length - performance.now();
        if (wait > 0) await this.untilStopped(sleep(wait, undefined, { ref: false }));
      }
      while (pending >= MAX_PENDING_CONNECTS && !this.interrupted) {
        await this.untilStopped(new Promise<void>((resolve) => (slotFreed = resolve)));
      }
      const connection = rest[k]!;
      pending += 1;
      void connection.firstAttempt.then(() => {
        pending -= 1;
        slotFreed?.();
      });
      connection.start(true);
    }
    // Connections whose first attempt failed keep retrying and join when they connect.
    await this.untilStopped(Promise.all(this.connections.map((c) => c.firstAttempt)));
  }

  private async send(started: number): Promise<void> {
    const { plan } = this;
    const total = plan.count === undefined ? Infinity : plan.count;
    let connectionsBusy = this.connections.length;
    let allSent: () => void = () => {};
    const finished = new Promise<void>((resolve) => (allSent = resolve));
    this.connections.forEach((connection, k) => {
      const cars = connection.carCount;
      // Offset each connection's schedule by a fraction of its interval, so sends are spread evenly.
      const phase = plan.rate > 0 ? (k / this.connections.length) * (1000 / (plan.rate * cars)) : 0;
      connection.beginSending(new Pacer(plan.rate, cars, started + phase, total * cars), () => {
        connectionsBusy -= 1;
        if (connectionsBusy === 0) allSent();
      });
    });
    const deadline = plan.durationS === undefined ? new Promise<void>(() => {}) : sleep(plan.durationS * 1000, undefined, { ref: false });
    await this.untilStopped(Promise.race([finished, deadline]));
    for (const connection of this.connections) connection.stopSending();
  }

  private async drain(): Promise<void> {
    const drained = Promise.all(this.connections.map((c) => c.whenDrained()));
    await this.untilStopped(Promise.race([drained, sleep(DRAIN_TIMEOUT_MS, undefined, { ref: false })]), this.stopDraining.signal);
  }

  private async closeAll(): Promise<void> {
    for (const connection of this.connections) connection.abandon();
    await Promise.race([Promise.all(this.connections.map((c) => c.close())), sleep(CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
  }

  /** Resolves with `work`, or early (undefined) once `signal` is aborted. */
  private untilStopped<T>(work: Promise<T>, signal: AbortSignal = this.stopSending.signal): Promise<T | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}
