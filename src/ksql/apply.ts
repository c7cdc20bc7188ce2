import { UsageError } from '../errors.js';
import type { Reporter } from '../runtime/types.js';
import { KsqlClient, type KsqlClientOptions } from './client.js';
import { formatStatementResult } from './format.js';
import { splitStatements } from './statements.js';

/**
 * Runs a script of KSQL statements in order on the ksqlDB at `url`; one human line per statement.
 * `connection`: credentials and CA for a ksqlDB with authentication or a private CA.
 */
export async function applyScript(url: string, script: string, reporter: Reporter, connection: Pick<KsqlClientOptions, 'credentials' | 'ca'> = {}): Promise<string[]> {
  if (splitStatements(script).length === 0) throw new UsageError('no KSQL statements to run', 'statements end with `;`; comments alone do not count');
  const ksql = new KsqlClient(url, { ...connection, notReadyTimeoutMs: 30_000 });
  const results = await reporter.step(`run KSQL on ${ksql.url}`, () => ksql.executeScript(script));
  return results.map(formatStatementResult);
}
