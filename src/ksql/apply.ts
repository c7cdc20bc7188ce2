import { UsageError } from '../errors.js';
import type { Reporter } from '../runtime/types.js';
import { KsqlClient } from './client.js';
import { formatStatementResult } from './format.js';
import { splitStatements } from './statements.js';

/** Runs a script of KSQL statements in order on the ksqlDB at `url`; one human line per statement. */
export async function applyScript(url: string, script: string, reporter: Reporter): Promise<string[]> {
  if (splitStatements(script).length === 0) throw new UsageError('no KSQL statements to run', 'statements end with `;`; comments alone do not count');
  const ksql = new KsqlClient(url, { notReadyTimeoutMs: 30_000 });
  const results = await reporter.step(`run KSQL on ${ksql.url}`, () => ksql.executeScript(script));
  return results.map(formatStatementResult);
}
