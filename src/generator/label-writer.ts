import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { FaultKind } from './faults.js';

/** Where a run's labels go: a file (LabelWriter), or memory for a run that scores its own detection. */
export interface LabelSink {
  write(carId: number, eventId: number, kind: FaultKind): void;
}

/**
 * `--labels FILE`: one JSON line {carId, eventId, kind} per published window that carries an
 * injected fault, so detection downstream can be scored. carId is a string, as the record key
 * carries it (and as dataset.ts writes it).
 */
export class LabelWriter implements LabelSink {
  private readonly out: WriteStream;
  private failure: Error | undefined;

  constructor(readonly file: string) {
    this.out = createWriteStream(file);
    this.out.on('error', (err) => (this.failure = err));
  }

  /** Labels are a few per cent of messages and small, so the stream's buffer is not bounded here. */
  write(carId: number, eventId: number, kind: FaultKind): void {
    this.out.write(`{"carId":"${carId}","eventId":${eventId},"kind":"${kind}"}\n`);
  }

  async close(): Promise<void> {
    if (!this.failure) {
      this.out.end();
      await Promise.race([once(this.out, 'finish'), once(this.out, 'error')]);
    }
    if (this.failure) throw this.failure;
  }
}
