import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EdgeMlError } from '../errors.js';
import type { Endpoints, RuntimeName } from '../runtime/types.js';
import type { DockerMqtt } from '../scenario/scenario.js';

/**
 * The state dir as an absolute path: the one given (--state-dir), else $EDGE_ML_HOME, else
 * ~/.edge-ml. Relative paths are resolved against the working directory here, once: Compose reads
 * a relative bind-mount source as a volume name (or against compose/), and child processes with
 * another working directory would look elsewhere.
 */
export function resolveStateDir(given: string | undefined): string {
  return resolve(given || process.env.EDGE_ML_HOME || join(homedir(), '.edge-ml'));
}

/** What `up` leaves behind so that status, generate, tail and down find the platform without flags. */
export interface PlatformRecord {
  runtime: RuntimeName;
  scenarioFile: string;
  startedAt: string;
  endpoints: Endpoints;
  /** Docker runtime: the MQTT service it runs (absent in records written before there was a choice: proxy). */
  mqtt?: DockerMqtt;
}

const PLATFORM_FILE = 'platform.json';

export function ensureStateDir(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true });
  return stateDir;
}

export function readPlatform(stateDir: string): PlatformRecord | undefined {
  const file = join(stateDir, PLATFORM_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PlatformRecord;
  } catch (err) {
    throw new EdgeMlError(`the state file ${file} is unreadable: ${(err as Error).message}`, `remove it (rm ${file}) and run edge-ml up again`);
  }
}

export function writePlatform(stateDir: string, record: PlatformRecord): void {
  ensureStateDir(stateDir);
  writeFileSync(join(stateDir, PLATFORM_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export function clearPlatform(stateDir: string): void {
  rmSync(join(stateDir, PLATFORM_FILE), { force: true });
}
