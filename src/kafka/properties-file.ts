import { readFileSync } from 'node:fs';
import { UsageError, errorMessage } from '../errors.js';

/** One key's value and the (first physical) line it was written on, for errors that name FILE:LINE. */
export interface Property {
  value: string;
  line: number;
}

/** Keys to values, the last occurrence winning as in java.util.Properties. */
export type Properties = Map<string, Property>;

/**
 * Reads a Java .properties file: `key=value` or `key: value`, `#` and `!` comments, blank lines,
 * backslash line continuation, backslash escapes; `${VAR}` in values expanded from env. Stricter
 * than java.util.Properties in one way: a line without `=` or `:` is an error, not a key with an
 * empty value, because in a client config it is always a mistake (and would fail much later).
 */
export function readPropertiesFile(file: string, env: NodeJS.ProcessEnv): Properties {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot read the Kafka client config: ${errorMessage(err)}`, 'give the path of a readable properties file (--kafka-config FILE)');
  }
  return parseProperties(text, file, env);
}

function parseProperties(text: string, file: string, env: NodeJS.ProcessEnv): Properties {
  const properties: Properties = new Map();
  for (const { text: logical, line } of logicalLines(text)) {
    // The line is not echoed: a malformed line may well be a password.
    const match = /^([^=:\s]+)\s*[=:]\s*(.*)$/s.exec(logical);
    if (!match) throw new UsageError(`${file}:${line}: not a key=value line`, 'write each setting as key=value (or key: value); comment lines start with # or !');
    const key = unescape(match[1]!);
    properties.set(key, { value: expandEnv(unescape(match[2]!), env, `${file}:${line}`), line });
  }
  return properties;
}

/** Comment and blank lines dropped, continued lines joined; each with the line it starts on. */
function logicalLines(text: string): { text: string; line: number }[] {
  const result: { text: string; line: number }[] = [];
  const physical = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let joined = physical[i]!.trimStart();
    if (joined === '' || joined.startsWith('#') || joined.startsWith('!')) continue;
    while (endsInContinuation(joined) && i + 1 < physical.length) {
      joined = joined.slice(0, -1) + physical[++i]!.trimStart();
    }
    if (endsInContinuation(joined)) joined = joined.slice(0, -1);
    result.push({ text: joined, line: start + 1 });
  }
  return result;
}

/** An odd number of trailing backslashes: the last one escapes the line end. */
function endsInContinuation(line: string): boolean {
  const trailing = /\\*$/.exec(line)![0].length;
  return trailing % 2 === 1;
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Java properties escapes: \t \n \r \f \uXXXX, and a backslash before anything else stands for that character. */
function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/gs, (_, c: string) => (c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPES[c] ?? c)));
}

/** ${VAR} from env, so that secrets can stay out of the file; an unset one is an error, not an empty string. */
function expandEnv(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const set = env[name];
    if (set === undefined) throw new UsageError(`${where}: \${${name}} is not set in the environment`, `export ${name}=... before running edge-ml, or write the value into the file`);
    return set;
  });
}
