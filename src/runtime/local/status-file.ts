import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Written whole then renamed, so a reader never sees half a file. */
export function writeStatusFile(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value)}\n`);
  renameSync(temp, file);
}

export function readStatusFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
