import chalk, { Chalk, type ChalkInstance } from 'chalk';
import ora from 'ora';
import type { Reporter } from '../runtime/types.js';

export interface UiOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
  /** Defaults to whether stderr is a terminal. */
  interactive?: boolean;
}

/**
 * Terminal output. Results go to stdout; progress, warnings and errors to stderr, so that
 * `--json` output on stdout stays machine-readable. Spinners and colour only on a terminal,
 * never with NO_COLOR or --no-color.
 */
export class Ui implements Reporter {
  readonly c: ChalkInstance;
  readonly interactive: boolean;

  constructor(readonly options: UiOptions) {
    const colour = options.color && !process.env.NO_COLOR && (process.stdout.isTTY ?? false);
    this.c = new Chalk({ level: colour ? chalk.level || 1 : 0 });
    // A terminal of 0 columns (a pseudo-terminal nobody sized) would send ora's line counting to
    // infinity: spinners only where there is a width to draw in.
    this.interactive = options.interactive ?? ((process.stderr.isTTY ?? false) && !process.env.CI && (process.stderr.columns ?? 0) > 0);
  }

  /** A result line for people (suppressed with --json). */
  out(line = ''): void {
    if (!this.options.json) process.stdout.write(`${line}\n`);
  }

  /** One JSON document on stdout (only with --json). */
  json(value: unknown): void {
    if (this.options.json) process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  info(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    process.stderr.write(`${this.c.yellow('warning:')} ${message}\n`);
  }

  debug(message: string): void {
    if (this.options.verbose) process.stderr.write(`${this.c.dim(message)}\n`);
  }

  /** Runs one step of long work with a spinner (terminal) or start/end lines (pipes, CI). */
  async step<T>(title: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const elapsed = (): string => this.c.dim(`(${((Date.now() - started) / 1000).toFixed(1)}s)`);
    if (this.interactive) {
      const spinner = ora({ text: title, stream: process.stderr }).start();
      try {
        const result = await work();
        spinner.succeed(`${title} ${elapsed()}`);
        return result;
      } catch (err) {
        spinner.fail(`${title} ${elapsed()}`);
        throw err;
      }
    }
    process.stderr.write(`- ${title} ...\n`);
    try {
      const result = await work();
      process.stderr.write(`${this.c.green('✔')} ${title} ${elapsed()}\n`);
      return result;
    } catch (err) {
      process.stderr.write(`${this.c.red('✖')} ${title} ${elapsed()}\n`);
      throw err;
    }
  }
}

/** Left-aligned columns for status tables. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
