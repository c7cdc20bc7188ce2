import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Snapshot, Tick } from './contract.js';

/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** How long a page waits before reconnecting (EventSource's retry). */
const RETRY_MS = 2000;
/**
 * A page that stopped reading (a frozen tab) is dropped past this much unsent data, so it cannot
 * hold the server's memory; its EventSource reconnects to a fresh snapshot.
 */
const MAX_UNSENT_BYTES = 8 * 1024 * 1024;

/**
 * GET /events: each page gets `event: snapshot` (the whole view) on connecting, then the same
 * `event: tick` bytes as every other page, so any number of tabs show the same view.
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly snapshot: () => Snapshot) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx and friends would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: ${RETRY_MS}\n\n${message('snapshot', this.snapshot())}`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  broadcast(tick: Tick): void {
    this.write(message('tick', tick));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_UNSENT_BYTES) {
        res.destroy();
        this.clients.delete(res);
      } else res.write(text);
    }
  }
}

function message(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
