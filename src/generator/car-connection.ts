import { MqttClient, type IClientPublishOptions } from 'mqtt';
import { openBrokerStream, type BrokerAddress } from './broker-address.js';
import type { CarSource } from './car-source.js';
import type { LabelSink } from './label-writer.js';
import type { Pacer } from './pacer.js';
import { formatPayload } from './payload.js';
import type { RunStats } from './run-stats.js';
import type { SendQueue } from './send-queue.js';

export type QoS = 0 | 1 | 2;

/** One simulated car as a connection carries it. */
export interface CarLane {
  carId: number;
  topic: string;
  source: CarSource;
}

/** An MQTT login; the password never goes into a message or a log. */
export interface CarLogin {
  username: string;
  password?: string;
}

/** How cars log in: one user for all, or one per car; and the CA an MQTTS endpoint is checked against. */
export interface MqttClientSettings {
  login?: CarLogin;
  /** Car N logs in as the Nth user, and is known by its user name. */
  credentials?: readonly CarLogin[];
  /** PEM text. */
  ca?: string;
}

export interface ConnectionSettings {
  broker: BrokerAddress;
  login?: CarLogin;
  qos: QoS;
  /** Unacknowledged messages allowed per connection: keeps memory flat under a slow broker. */
  maxInFlight: number;
  connectTimeoutMs: number;
}

/** What all connections of a run share: where they report, and the queue their sends wait in. */
export interface RunSink {
  stats: RunStats;
  labels?: LabelSink;
  sendQueue: SendQueue;
}

const MQTT_DEBUG = /mqttjs/.test(process.env.DEBUG ?? '');
const ignoreLog = (): void => {};

const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10_000;

/**
 * One MQTT 3.1.1 client carrying one car (clientId edge-ml-car-<id>) or several (--connections).
 * Windows are generated only when a message may be sent, so a slow broker costs a counter, not a
 * queue. mqtt.js keeps unacknowledged QoS 1/2 messages in its store and resends them after a
 * reconnect; this class reconnects itself, with jittered exponential backoff so that thousands of
 * cars do not hammer a restarting broker in lockstep.
 */
export class CarConnection {
  private client: MqttClient | undefined;
  private connected = false;
  private everConnected = false;
  private closing = false;
  private retry = true;
  private backoffMs = BACKOFF_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;

  private pacer: Pacer | undefined;
  private sending = false;
  private sendTimer: NodeJS.Timeout | undefined;
  private pumpQueued = false;
  private onAllSent: (() => void) | undefined;
  private sent = 0;
  private inFlight = 0;
  private abandoned = false;
  private drainWaiter: (() => void) | undefined;
  private readonly publishOptions: IClientPublishOptions;

  private settleFirstAttempt!: (error: Error | undefined) => void;
  /** Settles at the first successful connect (undefined) or the first failure (its error). */
  readonly firstAttempt = new Promise<Error | undefined>((resolve) => (this.settleFirstAttempt = resolve));
  private resolveFirstConnect!: () => void;
  readonly firstConnect = new Promise<void>((resolve) => (this.resolveFirstConnect = resolve));

  constructor(
    readonly clientId: string,
    private readonly lanes: readonly CarLane[],
    private readonly settings: ConnectionSettings,
    private readonly sink: RunSink,
    private readonly localAddress?: string,
  ) {
    this.publishOptions = { qos: settings.qos };
  }

  /** Starts connecting; with retry false a failed first attempt is final (the start-up probe). */
  start(retry: boolean): void {
    this.retry = retry;
    const { broker, login, connectTimeoutMs } = this.settings;
    const client = new MqttClient(() => openBrokerStream(broker, this.localAddress), {
      clientId: this.clientId,
      protocolVersion: 4,
      clean: true,
      username: login?.username,
      password: login?.password,
      connectTimeout: connectTimeoutMs,
      // Reconnects are ours (backoff); mqtt.js's own would retry at a fixed period.
      reconnectPeriod: 0,
      reconnectOnConnackError: true,
      resubscribe: false,
      // mqtt.js's default logger costs a call, an arguments array and an enabled-check per log
      // line, some 20 per message even when off (~5% of an unpaced run's CPU); DEBUG=mqttjs* keeps it.
      log: MQTT_DEBUG ? undefined : ignoreLog,
    });
    client.on('connect', () => this.onConnect());
    client.on('close', () => this.onClose());
    client.on('error', (err) => {
      this.sink.stats.errors += 1;
      this.lastError = err;
    });
    this.client = client;
  }

  /**
   * Lets the connection send by `pacer`'s schedule whenever it is connected. The first sends go
   * through the send queue too: sent inline, a fleet's first messages would all go out in one
   * synchronous loop over its connections, with no ack read until it ends (a 0.6 to 1.3 s stall
   * at the start of 10,000 cars).
   */
  beginSending(pacer: Pacer, onAllSent: () => void): void {
    this.pacer = pacer;
    this.onAllSent = onAllSent;
    this.sending = true;
    this.requestPump();
  }

  stopSending(): void {
    this.sending = false;
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
  }

  get carCount(): number {
    return this.lanes.length;
  }

  /** Resolves once every message sent so far is acknowledged (or failed). */
  whenDrained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.drainWaiter = resolve));
  }

  /** Gives up on unacknowledged messages: they count as failed, late acks are ignored. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.sink.stats.abandoned(this.inFlight);
    this.inFlight = 0;
  }

  /** Disconnects (politely when connected and drained) and stops reconnecting. */
  close(): Promise<void> {
    this.closing = true;
    this.stopSending();
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return Promise.resolve();
    const force = !this.connected || this.inFlight > 0;
    return new Promise((resolve) => client.end(force, {}, () => resolve()));
  }

  private onConnect(): void {
    this.connected = true;
    this.backoffMs = BACKOFF_FIRST_MS;
    this.sink.stats.carsConnected(this.lanes.length);
    if (this.everConnected) this.sink.stats.reconnects += 1;
    this.everConnected = true;
    this.settleFirstAttempt(undefined);
    this.resolveFirstConnect();
    this.pump();
  }

  private onClose(): void {
    if (this.connected) {
      this.connected = false;
      this.sink.stats.carsDisconnected(this.lanes.length);
    }
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.settleFirstAttempt(this.lastError ?? new Error('connection closed before the broker accepted it'));
    if (this.closing || (!this.retry && !this.everConnected)) return;
    const delay = this.backoffMs * (0.5 + Math.random() / 2);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      const client = this.client;
      // Without stores, reconnect() starts empty ones and the unacknowledged messages are lost.
      if (client && !this.closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  }

  private readonly tick = (): void => {
    this.sendTimer = undefined;
    this.requestPump();
  };

  /** Sends happen in the run's send queue, never inline in a timer or an ack (see send-queue.ts). */
  private requestPump(): void {
    if (this.pumpQueued || !this.sending) return;
    this.pumpQueued = true;
    this.sink.sendQueue.add(this.pumpNow);
  }

  private readonly pumpNow = (): void => {
    this.pumpQueued = false;
    this.pump();
  };

  /** Sends what is due, as far as the in-flight bound allows; then waits for an ack or the next due time. */
  private pump(): void {
    const pacer = this.pacer;
    if (!this.sending || !this.connected || !pacer) return;
    const now = performance.now();
    const due = pacer.dueBy(now);
    while (this.sent < due && this.inFlight < this.settings.maxInFlight) this.publishNext();
    if (this.sent >= pacer.total) {
      this.sending = false;
      this.onAllSent?.();
      return;
    }
    if (this.sent < due || this.sendTimer) return; // window full: the next ack asks again
    this.sendTimer = setTimeout(this.tick, Math.max(0, pacer.timeOf(this.sent) - now));
  }

  private publishNext(): void {
    // Cars take turns, so each gets the same share of the connection's messages.
    const lane = this.lanes[this.sent % this.lanes.length]!;
    this.sent += 1;
    const window = lane.source.next();
    if (window.fault) {
      this.sink.stats.anomaliesInjected += 1;
      this.sink.labels?.write(window.carId, window.eventId, window.fault);
    }
    const payload = formatPayload(window.eventId, window.readings);
    this.inFlight += 1;
    this.sink.stats.published();
    // The clock starts at the publish: a pump sending several messages makes each before its own.
    const sentAt = performance.now();
    this.client!.publish(lane.topic, payload, this.publishOptions, (err) => this.onAck(err, sentAt));
  }

  private onAck(err: Error | undefined, sentAt: number): void {
    if (this.abandoned) return;
    this.inFlight -= 1;
    if (err) this.sink.stats.publishFailed();
    else this.sink.stats.ackedAfter(performance.now() - sentAt);
    if (this.inFlight === 0 && this.drainWaiter) {
      this.drainWaiter();
      this.drainWaiter = undefined;
    }
    this.requestPump();
  }
}
