import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EdgeMlError } from '../../errors.js';

/** One detached process of the local runtime, known by its pid file and log file. */
export interface ProcessRecord {
  pid: number;
  startedAt: string;
  command: string[];
}

export interface ProcessFiles {
  pidFile: string;
  logFile: string;
}

export function processFiles(dir: string, name: string): ProcessFiles {
  return { pidFile: join(dir, `${name}.pid`), logFile: join(dir, `${name}.log`) };
}

/**
 * Starts a process in its own process group, detached from the CLI, output appended to its log
 * file, and records it in its pid file. The CLI can exit; `down` finds it again by the pid file.
 */
export async function startDetached(files: ProcessFiles, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcessRecord> {
  mkdirSync(dirname(files.logFile), { recursive: true });
  mkdirSync(dirname(files.pidFile), { recursive: true });
  const log = openSync(files.logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'ENOENT'
            ? new EdgeMlError(`'${command}' was not found on PATH`, command === 'java' ? 'install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless)' : `install ${command}`)
            : new EdgeMlError(`could not start ${command}: ${err.message}`),
        ),
      );
    });
    child.unref();
    const record: ProcessRecord = { pid: child.pid!, startedAt: new Date().toISOString(), command: [command, ...args] };
    writeFileSync(files.pidFile, `${JSON.stringify(record)}\n`);
    return record;
  } finally {
    closeSync(log);
  }
}

export function readProcessRecord(files: ProcessFiles): ProcessRecord | undefined {
  if (!existsSync(files.pidFile)) return undefined;
  try {
    return JSON.parse(readFileSync(files.pidFile, 'utf8')) as ProcessRecord;
  } catch {
    return undefined;
  }
}

/**
 * Alive and still the process we started: a recycled pid running something else does not count
 * (its command line must still name what we launched).
 */
export function isRunning(record: ProcessRecord | undefined): boolean {
  if (!record) return false;
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  try {
    const cmdline = readFileSync(`/proc/${record.pid}/cmdline`, 'utf8');
    const stat = readFileSync(`/proc/${record.pid}/stat`, 'utf8');
    // A zombie (state Z) has exited; only its parent has not collected it yet.
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    return cmdline.includes(record.command[record.command.length - 1]!);
  } catch {
    return true; // no /proc: signal 0 is the best we can do
  }
}

/** SIGTERM to the process group, then SIGKILL after graceMs; resolves once it is gone. */
export async function stopProcess(record: ProcessRecord, graceMs: number): Promise<'stopped' | 'killed' | 'not running'> {
  if (!isRunning(record)) return 'not running';
  signalGroup(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(record)) return 'stopped';
    await new Promise((r) => setTimeout(r, 100));
  }
  signalGroup(record.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isRunning(record); i++) await new Promise((r) => setTimeout(r, 100));
  return 'killed';
}

/**
 * Stops every process whose command line mentions a path (a state dir's folder): the safety net
 * of `down` for processes whose pid file was lost. Returns the pids it signalled.
 */
export async function killProcessesMentioning(path: string, graceMs = 5000): Promise<number[]> {
  const found: ProcessRecord[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid);
  } catch {
    return [];
  }
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (args.some((a) => a.includes(path))) found.push({ pid: Number(pid), startedAt: '', command: args });
    } catch {
      // exited meanwhile
    }
  }
  await Promise.all(found.map((record) => stopProcess(record, graceMs)));
  return found.map((r) => r.pid);
}

/** Signals the process group the supervisor started (detached), else the process alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function removeProcessRecord(files: ProcessFiles): void {
  rmSync(files.pidFile, { force: true });
}

export function uptimeSeconds(record: ProcessRecord): number {
  return Math.max(0, (Date.now() - Date.parse(record.startedAt)) / 1000);
}

/** The last non-empty line of a log file (reading only its tail), to say why a process died. */
export function lastLogLine(logFile: string): string | undefined {
  if (!existsSync(logFile)) return undefined;
  const size = statSync(logFile).size;
  const fd = openSync(logFile, 'r');
  try {
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.at(-1);
  } finally {
    closeSync(fd);
  }
}
