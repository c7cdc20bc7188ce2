import { totalmem } from 'node:os';
import type { Readable } from 'node:stream';

/**
 * What the endpoint holds for Kafka by default: 64 MiB, about 50,000 car messages of 1.3 kB (50 s
 * of a 1,000-car fleet at one message a second), or a sixteenth of the machine's memory when that
 * is less (a small edge box). Past it the cars keep their messages: TCP pushes back.
 */
export const DEFAULT_BUFFER_BYTES = Math.min(64 * 1024 * 1024, Math.floor(totalmem() / 16));

/**
 * Bounds the bytes held for Kafka (received, not yet acknowledged by it): at the cap it stops
 * reading from every client connection, and reads again once half of it has gone to Kafka. A
 * socket nobody reads fills its stream buffer (its highWaterMark) and stops reading from the
 * kernel, whose buffers then fill and close the TCP window: the publishers' writes block.
 *
 * aedes reads a connection with socket.read() on 'readable', so socket.pause() does not stop it,
 * and aedes's own client.pause() drops the count of publishes finished while paused (the client
 * then never reads again). The valve answers read() with nothing instead, and emits 'readable'
 * on resume so that aedes reads what waited.
 */
export class ReadValve {
  private readonly sockets = new Set<Readable>();
  private bytes = 0;
  private messages = 0;
  private closed = false;

  constructor(readonly capBytes: number) {}

  get paused(): boolean {
    return this.closed;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  get heldMessages(): number {
    return this.messages;
  }

  /** A client's connection, read only while the valve is open. */
  attach(socket: Readable): void {
    const read = socket.read.bind(socket);
    socket.read = (size?: number) => (this.closed ? null : read(size));
    this.sockets.add(socket);
  }

  detach(socket: Readable): void {
    this.sockets.delete(socket);
  }

  hold(bytes: number): void {
    this.bytes += bytes;
    this.messages += 1;
    if (this.bytes >= this.capBytes) this.closed = true;
  }

  release(bytes: number): void {
    this.bytes -= bytes;
    this.messages -= 1;
    if (!this.closed || this.bytes > this.capBytes / 2) return;
    this.closed = false;
    for (const socket of this.sockets) socket.emit('readable');
  }
}
