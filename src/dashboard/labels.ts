import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { FAULT_KINDS, type FaultKind } from '../generator/faults.js';
import { eventKey } from '../pipeline/labelled-run.js';

/**
 * The injected faults detection is scored against: "carId/eventId" -> kind. `upTo` is the time
 * the labels are complete until: a score that arrived before it can be judged, a later one waits
 * (a labels file is read a moment after the cars wrote it).
 */
export interface LabelSource {
  /** Whether the car is one of the labelled run's: others (another run's cars) are not judged. */
  covers(carId: string): boolean;
  /** The event's fault kind; an event is judged once, so a file's label may be forgotten here. */
  take(key: string): FaultKind | undefined;
  upTo(): number;
  close(): void;
}

/** The demo's labels, filled in the same process as the cars publish: always complete, and for its own cars only. */
export function liveLabels(faults: ReadonlyMap<string, FaultKind>, cars: ReadonlySet<string>): LabelSource {
  return { covers: (carId) => cars.has(carId), take: (key) => faults.get(key), upTo: () => Date.now(), close: () => undefined };
}

const POLL_MS = 250;
/** Labels of events never scored (lost, or scored before the dashboard started) are dropped past this. */
const MAX_PENDING_LABELS = 200_000;

/**
 * `--labels FILE` as `edge-ml generate --labels` writes it (one {carId, eventId, kind} a line),
 * read as it grows: only the new bytes each poll, a partial last line kept for the next one.
 * A file that does not exist yet is waited for.
 */
export class LabelsFile implements LabelSource {
  private readonly kinds = new Map<string, FaultKind>();
  private offset = 0;
  private partial = '';
  private completeAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly file: string) {
    this.read();
    this.timer = setInterval(() => this.read(), POLL_MS);
    this.timer.unref();
  }

  /** A labels file names faulty events only, not the run's cars: every car is taken to be the run's. */
  covers(): boolean {
    return true;
  }

  take(key: string): FaultKind | undefined {
    const kind = this.kinds.get(key);
    this.kinds.delete(key);
    return kind;
  }

  upTo(): number {
    return this.completeAt;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private read(): void {
    const startedAt = Date.now();
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return; // not written yet
    }
    if (size < this.offset) this.offset = 0; // truncated: a new run wrote it again
    if (size > this.offset) {
      const fd = openSync(this.file, 'r');
      try {
        const bytes = Buffer.alloc(size - this.offset);
        this.offset += readSync(fd, bytes, 0, bytes.length, this.offset);
        const lines = (this.partial + bytes.toString('utf8')).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) this.add(line);
      } finally {
        closeSync(fd);
      }
    }
    this.completeAt = startedAt;
  }

  private add(line: string): void {
    try {
      const label = JSON.parse(line) as { carId?: unknown; eventId?: unknown; kind?: unknown };
      if ((typeof label.carId === 'string' || typeof label.carId === 'number') && typeof label.eventId === 'number' && isFaultKind(label.kind)) {
        this.kinds.set(eventKey(label.carId, label.eventId), label.kind);
        if (this.kinds.size > MAX_PENDING_LABELS) this.kinds.delete(this.kinds.keys().next().value!);
      }
    } catch {
      // A line that is not a label is skipped, as a reader of someone else's file must.
    }
  }
}

function isFaultKind(kind: unknown): kind is FaultKind {
  return (FAULT_KINDS as readonly unknown[]).includes(kind);
}
