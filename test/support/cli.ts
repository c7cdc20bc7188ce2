import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../src/cli.js';
import { commandContext, type GlobalOptions } from '../../src/commands/context.js';

/** The built CLI entry (dist/src/cli-main.js), run with this Node. */
export const CLI_MAIN = fileURLToPath(new URL('../../src/cli-main.js', import.meta.url));

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface CliOptions {
  /** Killed (SIGTERM) after this long: a CLI that hangs fails its test instead of holding the run. */
  timeoutMs?: number;
  input?: string;
  /** Added to the test's own environment. */
  env?: NodeJS.ProcessEnv;
}

/** Starts `edge-ml <args>` with EDGE_ML_HOME set to the given state dir; never rejects on exit codes. */
export function spawnCli(home: string, args: readonly string[], options: CliOptions = {}): ResultPromise<{ reject: false }> {
  return execa(process.execPath, [CLI_MAIN, ...args], {
    env: { EDGE_ML_HOME: home, NO_COLOR: '1', CI: 'true', ...options.env },
    reject: false,
    timeout: options.timeoutMs ?? 300_000,
    input: options.input,
  }) as ResultPromise<{ reject: false }>;
}

/** The global options a command sees for `edge-ml <argv> <command>`, as the real program parses them. */
export function globalOptionsOf(argv: readonly string[]): GlobalOptions {
  const program = buildProgram();
  let options: GlobalOptions | undefined;
  program.command('show-options').action((_flags: unknown, command) => {
    options = commandContext(command).options;
  });
  program.parse(['node', 'edge-ml', ...argv, 'show-options']);
  return options!;
}

export async function runCli(home: string, args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const started = Date.now();
  const result = await spawnCli(home, args, options);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), elapsedMs: Date.now() - started };
}

/** The last line of stdout parsed as JSON (the --json contract of every command). */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`expected a JSON line last, got: ${line}`);
  }
}

/** Each stdout line that is a JSON object, parsed (--json output of tail and friends). */
export function jsonLines<T>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as T);
}
