import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { CarSource, type CarSourceOptions } from './car-source.js';
import { roundReadings } from './payload.js';
import { WINDOW_SIZE } from './signal.js';

export type DatasetFormat = 'csv' | 'jsonl';

export interface DatasetOptions extends CarSourceOptions {
  carIds: readonly number[];
  /** Windows per car. */
  count: number;
}

export interface DatasetSummary {
  windows: number;
  anomalies: number;
}

export function datasetFormatOf(file: string): DatasetFormat | undefined {
  if (file.endsWith('.csv')) return 'csv';
  if (file.endsWith('.jsonl')) return 'jsonl';
  return undefined;
}

/**
 * Writes labelled windows instead of publishing them (no broker needed): the training and
 * evaluation data of the model. Readings are rounded as in a payload, so the model sees exactly
 * what it will score. CSV: car_id,event_id,label,r1..r210 with label `normal` or the fault kind.
 * JSON lines: {carId, eventId, kind (null when normal), readings}.
 */
export async function writeDataset(file: string, format: DatasetFormat, options: DatasetOptions): Promise<DatasetSummary> {
  const out = createWriteStream(file);
  const write = async (line: string): Promise<void> => {
    if (!out.write(line)) await once(out, 'drain');
  };
  if (format === 'csv') {
    await write(`car_id,event_id,label,${Array.from({ length: WINDOW_SIZE }, (_, i) => `r${i + 1}`).join(',')}\n`);
  }
  const sources = options.carIds.map((id) => new CarSource(id, options));
  let windows = 0;
  let anomalies = 0;
  // Round-robin over cars, as time passes for all of them at once.
  for (let k = 0; k < options.count; k++) {
    for (const source of sources) {
      const w = source.next();
      const readings = roundReadings(w.readings);
      windows += 1;
      if (w.fault) anomalies += 1;
      await write(
        format === 'csv'
          ? `${w.carId},${w.eventId},${w.fault ?? 'normal'},${readings.join(',')}\n`
          : `${JSON.stringify({ carId: String(w.carId), eventId: w.eventId, kind: w.fault ?? null, readings })}\n`,
      );
    }
  }
  out.end();
  await once(out, 'finish');
  return { windows, anomalies };
}
