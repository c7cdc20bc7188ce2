/**
 * A lean MQTT 3.1.1 publisher for bench:e2e's throughput part. In the demo the cars are other
 * machines; here they share the pipeline's two cores, so every microsecond they spend is taken from
 * the pipeline being measured. This publisher builds every PUBLISH frame before the clock starts and
 * then only writes frames and reads PUBACKs on plain sockets: QoS 1, a bounded window of messages in
 * flight per connection, the next frame sent as each PUBACK arrives. The endpoint does all its real
 * work (parse, map, produce to Kafka, acknowledge after Kafka); `edge-ml generate`'s own speed is
 * bench:generator's business.
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface FrameConnection {
  clientId: string;
  topic: string;
  payloads: readonly string[];
}

export interface FramePublishResult {
  acked: number;
  /** Connections the endpoint closed before all their messages were acknowledged. */
  closedEarly: number;
}

function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return bytes;
}

function frame(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, ...remainingLength(body.length)]), body]);
}

function utf8String(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** CONNECT: MQTT 3.1.1 (level 4), clean session, keep-alive 60 s. */
function connectFrame(clientId: string): Buffer {
  return frame(0x10, Buffer.concat([utf8String('MQTT'), Buffer.from([4, 0x02, 0, 60]), utf8String(clientId)]));
}

/** PUBLISH at QoS 1; the packet id (bytes `idOffset`, `idOffset`+1) is filled in when sent. */
function publishFrame(topic: string, payload: string): { bytes: Buffer; idOffset: number } {
  const topicBytes = utf8String(topic);
  const payloadBytes = Buffer.from(payload, 'utf8');
  const bytes = frame(0x32, Buffer.concat([topicBytes, Buffer.alloc(2), payloadBytes]));
  return { bytes, idOffset: bytes.length - payloadBytes.length - 2 };
}

/** One connection's run: resolves with its acknowledged count when all are acked or the socket closes. */
class Connection {
  private readonly clientId: string;
  private readonly frames: { bytes: Buffer; idOffset: number }[];
  private sent = 0;
  acked = 0;
  /** Bytes of a frame from the endpoint not yet complete. */
  private pending: Buffer = Buffer.alloc(0);
  private socket!: Socket;

  /** Keeps only the frames: the payload strings can go. */
  constructor(spec: FrameConnection, private readonly maxInFlight: number) {
    this.clientId = spec.clientId;
    this.frames = spec.payloads.map((p) => publishFrame(spec.topic, p));
  }

  /** Connects (over TLS trusting `ca` when given) and waits for CONNACK; publishing starts with start(). */
  open(host: string, port: number, ca?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const hello = (): void => void this.socket.write(connectFrame(this.clientId));
      this.socket = ca ? connectTls({ host, port, ca, servername: 'localhost' }, hello).setNoDelay(true) : connect({ host, port, noDelay: true }, hello);
      this.socket.once('error', reject);
      this.socket.once('data', (data) => {
        if (data.length < 4 || data[0] !== 0x20 || data[3] !== 0) return reject(new Error(`${this.clientId}: CONNACK refused (${data.toString('hex')})`));
        this.socket.off('error', reject);
        this.pending = data.subarray(4);
        resolve();
      });
    });
  }

  get total(): number {
    return this.frames.length;
  }

  /** Publishes this connection's frames; `onAcked` hears how many each read acknowledged. */
  start(onAcked: (n: number) => void): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.destroy();
        resolve();
      };
      this.socket.on('error', done);
      this.socket.on('close', done);
      this.socket.on('data', (data) => {
        const before = this.acked;
        this.readAcks(data);
        if (this.acked > before) onAcked(this.acked - before);
        if (this.acked === this.frames.length) done();
        else this.sendWindow();
      });
      this.sendWindow();
    });
  }

  /** Counts PUBACKs (4 bytes each); anything else the endpoint sends is skipped by its length. */
  private readAcks(data: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, data]) : data;
    let at = 0;
    while (buf.length - at >= 2) {
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      for (; i < buf.length; i++) {
        length += (buf[i]! & 0x7f) * multiplier;
        multiplier *= 128;
        if ((buf[i]! & 0x80) === 0) break;
      }
      if (i >= buf.length || buf.length < i + 1 + length) break;
      if (buf[at] === 0x40) this.acked++;
      at = i + 1 + length;
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : buf.subarray(at);
  }

  /** Tops the window up to maxInFlight unacknowledged frames, in one write. */
  private sendWindow(): void {
    const out: Buffer[] = [];
    while (this.sent < this.frames.length && this.sent - this.acked < this.maxInFlight) {
      const f = this.frames[this.sent]!;
      f.bytes.writeUInt16BE((this.sent % 65_535) + 1, f.idOffset);
      out.push(f.bytes);
      this.sent++;
    }
    if (out.length > 0) this.socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }
}

export class FramePublisher {
  private readonly connections: Connection[];

  /** Builds every frame now, so building costs nothing once publishing starts. */
  constructor(specs: readonly FrameConnection[], maxInFlight: number) {
    this.connections = specs.map((s) => new Connection(s, maxInFlight));
  }

  /** ca: MQTTS, trusting that CA; without: plain MQTT. */
  async connect(host: string, port: number, ca?: string): Promise<void> {
    for (const c of this.connections) await c.open(host, port, ca);
  }

  /** Publishes everything and resolves once every connection is acknowledged or closed. */
  async publish(onAcked: (total: number) => void = () => undefined): Promise<FramePublishResult> {
    let total = 0;
    await Promise.all(this.connections.map((c) => c.start((n) => onAcked((total += n)))));
    const acked = this.connections.reduce((sum, c) => sum + c.acked, 0);
    return { acked, closedEarly: this.connections.filter((c) => c.acked < c.total).length };
  }
}
