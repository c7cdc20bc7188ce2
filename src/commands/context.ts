import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/scenario.js';
import { resolveStateDir } from '../state/state-dir.js';
import { RUNTIME_NAMES, type RuntimeName } from '../runtime/types.js';
import { Ui } from '../ui/ui.js';

/** The global options every command sees (defined once in src/cli.ts). */
export interface GlobalOptions {
  runtime?: RuntimeName;
  scenario: string;
  stateDir: string;
  json: boolean;
  verbose: boolean;
  color: boolean;
}

export interface CommandContext {
  options: GlobalOptions;
  ui: Ui;
  scenario(): Scenario;
}

export function commandContext(command: Command): CommandContext {
  const all = command.optsWithGlobals() as Partial<GlobalOptions>;
  const options: GlobalOptions = {
    runtime: all.runtime,
    scenario: all.scenario ?? 'connected-cars',
    stateDir: resolveStateDir(all.stateDir),
    json: all.json ?? false,
    verbose: all.verbose ?? false,
    color: all.color ?? true,
  };
  let scenario: Scenario | undefined;
  return {
    options,
    ui: new Ui({ json: options.json, color: options.color, verbose: options.verbose }),
    scenario: () => (scenario ??= loadScenario(options.scenario)),
  };
}

/** commander argument parsers: a bad value is a usage error (exit 2) naming the flag's rule. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got '${text}'`);
    }
    return value;
  };
}

export function numberIn(min: number, max = Number.POSITIVE_INFINITY) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a number from ${min}${Number.isFinite(max) ? ` to ${max}` : ' up'}, got '${text}'`);
    }
    return value;
  };
}

export function oneOf<T extends string>(choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got '${text}'`);
    }
    return text as T;
  };
}

/** A CA file: a PEM certificate, checked when parsed. */
export function pemCertificateFile(path: string): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new InvalidArgumentError(`no file at '${path}': give the CA certificate as a PEM file`);
  if (!readFileSync(path, 'utf8').includes('-----BEGIN CERTIFICATE-----')) {
    throw new InvalidArgumentError(`'${path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----); convert a DER file with: openssl x509 -inform der -in FILE -out ca.pem`);
  }
  return path;
}

export const parseRuntimeName = oneOf(RUNTIME_NAMES);

/** Appends an "Examples:" section to a command's --help. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}
