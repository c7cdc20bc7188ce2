import { createServer } from 'node:net';
import { canListen } from '../../src/runtime/ports.js';

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls until check() resolves true, or fails after timeoutMs naming what it waited for and the
 * last error check() threw, so that a missing tool reads as its own error, not as a timeout.
 */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      // A program that is not installed will not appear by waiting: say so at once.
      if (isMissingProgram(err)) throw new Error(`cannot wait for ${what}: ${(err as Error).message}`);
      lastError = err; // not ready yet, or never will be: shown if the wait runs out
    }
    if (Date.now() > deadline) {
      const why = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** spawn's ENOENT (the program is not on PATH), as node and execa report it. */
function isMissingProgram(err: unknown): boolean {
  const e = err as { code?: string; syscall?: string; cause?: { syscall?: string } } | undefined;
  return e?.code === 'ENOENT' && /^spawn /.test(e.syscall ?? e.cause?.syscall ?? '');
}

/** A port for the local runtime's Kafka whose next port up (its KRaft controller's) is free too. */
export async function freeKafkaPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await canListen('127.0.0.1', port + 1))) return port;
  }
}
