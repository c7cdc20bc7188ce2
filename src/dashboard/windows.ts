import { parsePayload } from '../generator/payload.js';
import type { WindowReadings, WindowView } from './contract.js';
import type { WantedRecord } from './record-lookup.js';

/** Where a scored window's source record is: its key and timestamp (the score's own), and what it scored. */
export interface WindowLocator {
  /** The record key: the MQTT topic. */
  key: string;
  event: number;
  score: number;
  at: number;
}

/** A flagged window and the same car's last normal window before it, by locator. */
export interface FlaggedWindow {
  car: string;
  flagged: WindowLocator;
  lastNormal: WindowLocator | null;
}

export type RecordFinder = (wanted: WantedRecord) => Promise<Buffer | undefined>;

/**
 * The readings of both windows, read from the source topic: a WindowView, or why the flagged one
 * is not there (retention removed it). A last normal window that is gone is left out (null).
 */
export async function readWindows(windows: FlaggedWindow, threshold: number, find: RecordFinder): Promise<WindowView | string> {
  const flagged = await readWindow(windows.flagged, find);
  if (!flagged) return `car ${windows.car}'s event ${windows.flagged.event} is no longer in the source topic`;
  const lastNormal = windows.lastNormal && (await readWindow(windows.lastNormal, find));
  return { car: windows.car, threshold, flagged, lastNormal: lastNormal ?? null };
}

async function readWindow(at: WindowLocator, find: RecordFinder): Promise<WindowReadings | undefined> {
  const value = await find({ key: at.key, timestamp: at.at, matches: (v) => eventIdOf(v) === at.event });
  if (!value) return undefined;
  const parsed = parsePayload(value.toString('utf8'));
  return { event: at.event, score: at.score, readings: typeof parsed === 'string' ? [] : parsed.readings };
}

/** The payload's event id (the text before its first comma), read without parsing the readings. */
function eventIdOf(value: Buffer): number {
  const comma = value.indexOf(0x2c);
  return comma > 0 ? Number(value.toString('latin1', 0, comma)) : NaN;
}
