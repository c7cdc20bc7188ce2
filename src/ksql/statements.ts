import { UsageError } from '../errors.js';

/** One KSQL statement of a script, without comments, ending in `;`. */
export interface Statement {
  text: string;
  /** 1-based line of the script where the statement starts, for error messages. */
  line: number;
}

/**
 * Splits a KSQL script at the semicolons that end statements. A semicolon inside a single-quoted
 * string ('' is an escaped quote), a backquoted identifier, a `--` line comment or a block
 * comment does not end a statement. Comments are dropped so that error messages show the
 * statement alone. An unterminated string, identifier or comment is a usage error.
 */
export function splitStatements(script: string): Statement[] {
  const statements: Statement[] = [];
  let current = '';
  let line = 1;
  let startLine = 1;
  let i = 0;

  const finish = (): void => {
    const text = current.trim();
    if (text) statements.push({ text: text.endsWith(';') ? text : `${text};`, line: startLine });
    current = '';
  };
  const unterminated = (what: string, fromLine: number): never => {
    throw new UsageError(`KSQL script: ${what} opened on line ${fromLine} is never closed`, 'close it, or check for a stray quote');
  };

  while (i < script.length) {
    const ch = script[i]!;
    const next = script[i + 1];
    if (current.trim() === '' && !/\s/.test(ch) && !(ch === '-' && next === '-') && !(ch === '/' && next === '*')) startLine = line;

    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end; // the newline itself is kept
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) unterminated('a /* comment', line);
      line += countNewlines(script.slice(i, end));
      current += ' ';
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '`') {
      const end = closingQuote(script, i);
      if (end === -1) unterminated(ch === "'" ? 'a string' : 'a `quoted identifier`', line);
      const quoted = script.slice(i, end + 1);
      line += countNewlines(quoted);
      current += quoted;
      i = end + 1;
      continue;
    }
    if (ch === '\n') line++;
    current += ch;
    i++;
    if (ch === ';') finish();
  }
  finish();
  return statements;
}

/** Index of the quote closing the one at `open`; a doubled quote is an escaped one. */
function closingQuote(script: string, open: number): number {
  const quote = script[open]!;
  let i = open + 1;
  while (i < script.length) {
    if (script[i] === quote) {
      if (script[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return -1;
}

function countNewlines(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === '\n') n++;
  return n;
}

/** The first words of a statement on one line, for progress and result lines. */
export function statementSummary(statement: string, max = 60): string {
  const oneLine = statement.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 3)}...` : oneLine;
}
