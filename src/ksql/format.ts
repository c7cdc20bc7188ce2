import { statementSummary } from './statements.js';
import type { CurrentStatusEntity, DescribeFunctionEntity, KsqlEntity, QueriesEntity, StreamsEntity } from './types.js';
import type { StatementResult } from './client.js';

/** One human line per statement: what ran and what the server said, its warnings included. */
export function formatStatementResult(result: StatementResult): string {
  const what = statementSummary(result.statement.text);
  const said = result.entities.flatMap((e) => [describeEntity(e), ...warningsOf(e).map((w) => `warning: ${w}`)]).join('; ') || 'done';
  return `${what} -> ${said}`;
}

/** What ksqlDB warned about for one statement: its warning entities, and the `warnings` any entity carries. */
export function statementWarnings(result: StatementResult): string[] {
  return result.entities.flatMap((e) => [...(e['@type'] === 'warning_entity' ? [oneLine(String(e.message))] : []), ...warningsOf(e)]);
}

function warningsOf(entity: KsqlEntity): string[] {
  return (entity.warnings ?? []).map((w) => oneLine(w.message));
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** A short text for one /ksql result entity. */
export function describeEntity(entity: KsqlEntity): string {
  switch (entity['@type']) {
    case 'currentStatus': {
      const e = entity as CurrentStatusEntity;
      const query = e.commandStatus.queryId ? ` (query ${e.commandStatus.queryId})` : '';
      return `${e.commandStatus.message || e.commandStatus.status}${query}`;
    }
    case 'warning_entity':
      return `warning: ${String(entity.message)}`;
    case 'streams': {
      const streams = (entity as StreamsEntity).streams;
      return `streams: ${streams.map((s) => `${s.name} (topic ${s.topic})`).join(', ') || 'none'}`;
    }
    case 'queries': {
      const queries = (entity as QueriesEntity).queries;
      return `queries: ${queries.map((q) => `${q.id}${q.state ? ` ${q.state}` : ''}`).join(', ') || 'none'}`;
    }
    case 'describe_function': {
      const f = entity as DescribeFunctionEntity;
      const signatures = f.functions.map((fn) => `${f.name}(${fn.arguments.map((a) => `${a.name} ${a.type}`).join(', ')}) -> ${fn.returnType}`);
      return `${signatures.join(', ')}${f.path ? ` from ${f.path}` : ''}`;
    }
    default:
      return `${entity['@type']}: ${JSON.stringify(withoutStatementText(entity)).slice(0, 200)}`;
  }
}

function withoutStatementText(entity: KsqlEntity): Record<string, unknown> {
  const { statementText: _statement, '@type': _type, warnings: _warnings, ...rest } = entity;
  return rest;
}

/** The return type ANOMALY is declared with, or why it is not usable. */
export function checkAnomalyFunction(entity: KsqlEntity | undefined): { ok: true; signature: string } | { ok: false; problem: string } {
  if (!entity || entity['@type'] !== 'describe_function') return { ok: false, problem: `DESCRIBE FUNCTION answered ${entity?.['@type'] ?? 'nothing'}` };
  const f = entity as DescribeFunctionEntity;
  const scorer = f.functions.find((fn) => fn.arguments.length === 1 && /^(VARCHAR|STRING)$/i.test(fn.arguments[0]!.type));
  if (!scorer) return { ok: false, problem: `${f.name} has no (VARCHAR) variant: ${describeEntity(f)}` };
  if (!/^DOUBLE$/i.test(scorer.returnType)) return { ok: false, problem: `${f.name}(VARCHAR) returns ${scorer.returnType}, not DOUBLE` };
  return { ok: true, signature: describeEntity(f) };
}
