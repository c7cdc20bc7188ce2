import assert from 'node:assert/strict';
import { test } from './support/node-test.js';
import { UsageError } from '../src/errors.js';
import { loadScenario } from '../src/scenario/load.js';
import { splitStatements, statementSummary } from '../src/ksql/statements.js';

const texts = (script: string): string[] => splitStatements(script).map((s) => s.text);

test('splits at statement-ending semicolons and trims', () => {
  assert.deepEqual(texts('SHOW STREAMS;\n  SHOW QUERIES ;\n'), ['SHOW STREAMS;', 'SHOW QUERIES ;']);
});

test('a last statement without a semicolon still counts, and gets one', () => {
  assert.deepEqual(texts('SHOW STREAMS; LIST TOPICS'), ['SHOW STREAMS;', 'LIST TOPICS;']);
});

test('a semicolon inside a single-quoted string does not split, with doubled-quote escapes', () => {
  const script = "INSERT INTO s VALUES ('a;b', 'it''s; fine');SHOW STREAMS;";
  assert.deepEqual(texts(script), ["INSERT INTO s VALUES ('a;b', 'it''s; fine');", 'SHOW STREAMS;']);
});

test('a semicolon inside a backquoted identifier does not split', () => {
  assert.deepEqual(texts('CREATE STREAM `odd;name` (X INT) WITH (KAFKA_TOPIC=\'t\', VALUE_FORMAT=\'JSON\'); SHOW STREAMS;'), [
    "CREATE STREAM `odd;name` (X INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');",
    'SHOW STREAMS;',
  ]);
});

test('semicolons in -- and /* */ comments neither split nor reach the server', () => {
  const script = '-- first; a comment\nSHOW /* not; here */ STREAMS;\n/* trailing; comment */\n-- only a comment;';
  assert.deepEqual(texts(script), ['SHOW   STREAMS;']);
});

test('comment markers inside strings are text, not comments', () => {
  assert.deepEqual(texts("SELECT '--x;/*y*/' FROM s EMIT CHANGES;"), ["SELECT '--x;/*y*/' FROM s EMIT CHANGES;"]);
});

test('each statement knows the line it starts on', () => {
  const lines = splitStatements('-- header\n\nSHOW STREAMS;\n/* a\nb */\nSHOW\nQUERIES;').map((s) => s.line);
  assert.deepEqual(lines, [3, 6]);
});

test('an unterminated string or comment is a usage error naming the line', () => {
  assert.throws(() => splitStatements("SHOW STREAMS;\nSELECT 'oops FROM s;"), (err: unknown) => err instanceof UsageError && /string opened on line 2/.test(err.message));
  assert.throws(() => splitStatements('SHOW /* never closed'), (err: unknown) => err instanceof UsageError && /comment opened on line 1/.test(err.message));
});

test("the scenario's KSQL creates or replaces every stream, so that a changed threshold or car id pattern reaches the running queries", () => {
  const statements = splitStatements(loadScenario('connected-cars').ksql.text);
  assert.ok(statements.length >= 3);
  // IF NOT EXISTS checks only the name: ksqlDB would answer a warning and keep the old query.
  for (const s of statements) assert.match(s.text, /^CREATE OR REPLACE STREAM \w+\s/);
});

test("the scenario's KSQL scores each window once: ANOMALY( is called once in all its statements", () => {
  // ksqlDB does not reuse a projection in WHERE: ANOMALY in both would score every window twice.
  const calls = splitStatements(loadScenario('connected-cars').ksql.text).flatMap((s) => s.text.match(/\bANOMALY\s*\(/gi) ?? []);
  assert.equal(calls.length, 1);
});

test("the scenario's streams keep the record contract: the scores stream has only scored windows (CARID, EVENTID, ANOMALY_VAL, keyed by the MQTT topic), the anomalies stream those above the threshold", () => {
  const scenario = loadScenario('connected-cars');
  const streams = splitStatements(scenario.ksql.text).map((s) => ({ name: /^CREATE OR REPLACE STREAM (\w+)/.exec(s.text)![1]!, text: s.text.replace(/\s+/g, ' ') }));
  const scores = streams.findIndex((s) => s.name === scenario.streams.scores);
  const { text: scoresText } = streams[scores]!;
  assert.match(scoresText, new RegExp(`WITH \\(KAFKA_TOPIC='${scenario.streams.scores}', VALUE_FORMAT='JSON'\\)`));
  const source = /^.* AS SELECT MQTT_TOPIC, CARID, EVENTID, ANOMALY_VAL FROM (\w+) WHERE ANOMALY_VAL IS NOT NULL EMIT CHANGES;$/.exec(scoresText)?.[1];
  assert.ok(source, scoresText);
  assert.ok(streams.findIndex((s) => s.name === source) < scores, `${source} is created before ${scenario.streams.scores}`);
  const anomalies = streams.find((s) => s.name === scenario.streams.anomalies)!.text;
  assert.match(anomalies, new RegExp(`SELECT MQTT_TOPIC, CARID, EVENTID, ANOMALY_VAL FROM ${scenario.streams.scores} WHERE ANOMALY_VAL > ${scenario.model.threshold} EMIT CHANGES;$`));
});

test('statement summaries are one line and bounded', () => {
  assert.equal(statementSummary('SHOW\n   STREAMS;'), 'SHOW STREAMS;');
  assert.equal(statementSummary('x'.repeat(100), 20).length, 20);
});
