/**
 * Contract tests of the ksqlDB client against a local HTTP server that replays the response shapes
 * documented for ksqlDB 7.9 (shared/reference/confluent-facts.md §2-3). No real ksqlDB runs here:
 * these tests pin what the client sends and how it reads the documented answers.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from './support/node-test.js';
import { EdgeMlError } from '../src/errors.js';
import { KsqlClient } from '../src/ksql/client.js';
import { KsqlServerError } from '../src/ksql/errors.js';
import { checkAnomalyFunction, describeEntity, formatStatementResult, statementWarnings } from '../src/ksql/format.js';
import { freePort } from './support/ports.js';

interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

const servers: Server[] = [];
after(() => servers.forEach((s) => s.closeAllConnections()));
after(() => servers.forEach((s) => s.close()));

/** A server that answers each request with the next handler (the last one repeats). */
async function replay(...handlers: Handler[]): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
      requests.push(recorded);
      handlers[Math.min(requests.length - 1, handlers.length - 1)]!(recorded, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

const currentStatus = (statementText: string, message: string, seq: number, queryId: string | null = null) => ({
  '@type': 'currentStatus',
  statementText,
  commandId: `stream/X/create`,
  commandStatus: { status: 'SUCCESS', message, queryId },
  commandSequenceNumber: seq,
  warnings: [],
});

const notReady = json(503, { '@type': 'generic_error', error_code: 50302, message: 'Server initializing' });

const fast = { retryDelayMs: 5, notReadyTimeoutMs: 2000 };

test('contract (replayed ksqlDB responses): /info returns the server version', async () => {
  const server = await replay(json(200, { KsqlServerInfo: { version: '7.9.0', kafkaClusterId: 'abc', ksqlServiceId: 'edge_ml_', serverStatus: 'RUNNING' } }));
  const info = await new KsqlClient(server.url).info();
  assert.equal(info.version, '7.9.0');
  assert.equal(server.requests[0]!.path, '/info');
});

test('contract (replayed ksqlDB responses): /healthcheck is read as documented', async () => {
  const server = await replay(json(200, { isHealthy: true, details: { metastore: { isHealthy: true }, kafka: { isHealthy: true } }, serverState: 'READY' }));
  const health = await new KsqlClient(server.url).healthcheck();
  assert.equal(health.isHealthy, true);
  assert.equal(health.details?.kafka?.isHealthy, true);
});

test('contract (replayed ksqlDB responses): a currentStatus success, and the next request waits for its commandSequenceNumber', async () => {
  const server = await replay(json(200, [currentStatus('CREATE STREAM A ...;', 'Stream created', 10)]), json(200, [currentStatus('CREATE STREAM B ...;', 'Stream created', 11)]));
  const client = new KsqlClient(server.url);
  const first = await client.execute('CREATE STREAM A (X INT) WITH (KAFKA_TOPIC=\'a\', VALUE_FORMAT=\'JSON\');');
  assert.equal(first[0]!['@type'], 'currentStatus');
  await client.execute('CREATE STREAM B (X INT) WITH (KAFKA_TOPIC=\'b\', VALUE_FORMAT=\'JSON\');');

  const [req1, req2] = server.requests;
  assert.equal(req1!.path, '/ksql');
  assert.equal(req1!.method, 'POST');
  assert.match(String(req1!.headers.accept), /application\/vnd\.ksql\.v1\+json/);
  assert.match(String(req1!.headers['content-type']), /application\/vnd\.ksql\.v1\+json/);
  assert.deepEqual(req1!.body?.streamsProperties, {});
  assert.equal(req1!.body?.commandSequenceNumber, undefined, 'the first request waits for nothing');
  assert.equal(req2!.body?.commandSequenceNumber, 10);
});

test('contract (replayed ksqlDB responses): a script runs one statement per request, in order, chained', async () => {
  const server = await replay(
    json(200, [currentStatus('s1', 'Stream created', 3)]),
    json(200, [{ '@type': 'warning_entity', statementText: 's2', message: 'Cannot add stream B: A stream with the same name already exists.', warnings: [] }]),
    json(200, [currentStatus('s3', 'Created query with ID CSAS_C_5', 5, 'CSAS_C_5')]),
  );
  const lines: string[] = [];
  const results = await new KsqlClient(server.url).executeScript(
    "CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a;b', VALUE_FORMAT='JSON');\n-- B exists already;\nCREATE STREAM IF NOT EXISTS B AS SELECT * FROM A;\nCREATE STREAM C AS SELECT * FROM B;",
    (r) => lines.push(formatStatementResult(r)),
  );
  assert.equal(results.length, 3);
  assert.deepEqual(
    server.requests.map((r) => r.body?.ksql),
    ["CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a;b', VALUE_FORMAT='JSON');", 'CREATE STREAM IF NOT EXISTS B AS SELECT * FROM A;', 'CREATE STREAM C AS SELECT * FROM B;'],
  );
  // The warning carries no sequence number, so the third request still waits for the first.
  assert.deepEqual(
    server.requests.map((r) => r.body?.commandSequenceNumber),
    [undefined, 3, 3],
  );
  assert.match(lines[0]!, /^CREATE STREAM A .* -> Stream created$/);
  assert.match(lines[1]!, /-> warning: Cannot add stream B/);
  assert.match(lines[2]!, /-> Created query with ID CSAS_C_5 \(query CSAS_C_5\)$/);
});

test('contract (replayed ksqlDB responses): statement_error 40001 carries the statement, message and code', async () => {
  const statement = 'CREATE STREAM BROKEN (X INT) WITH (KAFKA_TOPIC=\'nope\');';
  const server = await replay(json(400, { '@type': 'statement_error', error_code: 40001, message: "Topic 'nope' does not exist", statementText: statement, entities: [] }));
  await assert.rejects(new KsqlClient(server.url, fast).execute(statement), (err: unknown) => {
    assert.ok(err instanceof KsqlServerError);
    assert.equal(err.httpStatus, 400);
    assert.equal(err.errorCode, 40001);
    assert.equal(err.serverMessage, "Topic 'nope' does not exist");
    assert.match(err.message, /error 40001/);
    assert.match(err.message, /statement: CREATE STREAM BROKEN/);
    assert.match(err.hint ?? '', /SHOW STREAMS/);
    return true;
  });
  assert.equal(server.requests.length, 1, 'a bad statement is not retried');
});

test('contract (replayed ksqlDB responses): 503 50302 "Server initializing" is retried until the server answers', async () => {
  const server = await replay(notReady, notReady, json(200, { KsqlServerInfo: { version: '7.9.0' } }));
  const info = await new KsqlClient(server.url, fast).info();
  assert.equal(info.version, '7.9.0');
  assert.equal(server.requests.length, 3);
});

test('contract (replayed ksqlDB responses): a server that stays not ready fails within the bound, with the code', async () => {
  const server = await replay(notReady);
  const started = Date.now();
  await assert.rejects(new KsqlClient(server.url, { retryDelayMs: 10, notReadyTimeoutMs: 200 }).info(), (err: unknown) => err instanceof KsqlServerError && err.errorCode === 50302);
  assert.ok(Date.now() - started < 2000, 'gave up within the bound');
  assert.ok(server.requests.length >= 2, 'retried at least once');
});

test('contract (replayed ksqlDB responses): a refused connection names the URL and what to check', async () => {
  const url = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(new KsqlClient(url, fast).execute('SHOW STREAMS;'), (err: unknown) => {
    assert.ok(err instanceof EdgeMlError);
    assert.match(err.message, new RegExp(`cannot reach ksqlDB at ${url.replace(/[.]/g, '\\.')}/ksql: connection refused`));
    assert.match(err.hint ?? '', /edge-ml status/);
    return true;
  });
});

test('contract (replayed ksqlDB responses): DESCRIBE FUNCTION ANOMALY is read as the scorer', async () => {
  const describe = {
    '@type': 'describe_function',
    statementText: 'DESCRIBE FUNCTION ANOMALY;',
    name: 'ANOMALY',
    description: 'autoencoder reconstruction error',
    author: 'edge-ml',
    version: '0.1.0',
    path: '/opt/ksqldb-udfs/edge-ml-anomaly-udf.jar',
    type: 'SCALAR',
    functions: [{ arguments: [{ name: 'sensorinput', type: 'VARCHAR', description: '', isVariadic: false }], returnType: 'DOUBLE', description: 'score' }],
    warnings: [],
  };
  const server = await replay(json(200, [describe]));
  const [entity] = await new KsqlClient(server.url).execute('DESCRIBE FUNCTION ANOMALY;');
  const check = checkAnomalyFunction(entity);
  assert.ok(check.ok);
  assert.equal(describeEntity(entity!), 'ANOMALY(sensorinput VARCHAR) -> DOUBLE from /opt/ksqldb-udfs/edge-ml-anomaly-udf.jar');

  const wrongType = { ...describe, functions: [{ ...describe.functions[0]!, returnType: 'VARCHAR' }] };
  const bad = checkAnomalyFunction(wrongType);
  assert.ok(!bad.ok && /returns VARCHAR, not DOUBLE/.test(bad.problem));
});

test('contract (replayed ksqlDB responses): an unknown function is a statement error with the server\'s message', async () => {
  const server = await replay(json(400, { '@type': 'statement_error', error_code: 40001, message: "Can't find any functions with the name 'ANOMALY'", statementText: 'DESCRIBE FUNCTION ANOMALY;', entities: [] }));
  await assert.rejects(new KsqlClient(server.url).execute('DESCRIBE FUNCTION ANOMALY;'), /Can't find any functions with the name 'ANOMALY'/);
});

test('contract (replayed ksqlDB responses): /query-stream header then rows over HTTP/1.1 chunked, closed with /close-query', async () => {
  let stream: ServerResponse | undefined;
  const server = await replay((req, res) => {
    if (req.path === '/query-stream') {
      stream = res;
      res.writeHead(200, { 'content-type': 'application/vnd.ksqlapi.delimited.v1' }); // chunked: no content-length
      res.write('{"queryId":"transient_1","columnNames":["CARID","ANOMALY_VAL"],"columnTypes":["STRING","DOUBLE"]}\n');
      res.write('["7",0.013]\n\n'); // a bare newline is a keep-alive
      res.write('["8",');
      setTimeout(() => res.write('0.5]\n'), 20); // a row split across chunks
    } else {
      json(200, {})(req, res);
      stream?.end();
    }
  });
  const client = new KsqlClient(server.url);
  const query = await client.pushQuery('SELECT CARID, ANOMALY_VAL FROM ANOMALYDETECTION EMIT CHANGES;', { 'ksql.streams.auto.offset.reset': 'earliest' });
  assert.deepEqual(query.header, { queryId: 'transient_1', columnNames: ['CARID', 'ANOMALY_VAL'], columnTypes: ['STRING', 'DOUBLE'] });
  const rows: unknown[][] = [];
  for await (const row of query.rows) {
    rows.push(row);
    if (rows.length === 2) break;
  }
  await query.close();
  assert.deepEqual(rows, [['7', 0.013], ['8', 0.5]]);
  const [start, close] = server.requests;
  assert.equal(start!.body?.sql, 'SELECT CARID, ANOMALY_VAL FROM ANOMALYDETECTION EMIT CHANGES;');
  assert.deepEqual(start!.body?.properties, { 'ksql.streams.auto.offset.reset': 'earliest' });
  assert.equal(close!.path, '/close-query');
  assert.deepEqual(close!.body, { queryId: 'transient_1' });
});

test('contract (replayed ksqlDB responses): a push query the server refuses is an error with its message', async () => {
  const server = await replay(json(400, { '@type': 'statement_error', error_code: 40001, message: 'NOPE does not exist.', statementText: 'SELECT * FROM NOPE EMIT CHANGES;' }));
  await assert.rejects(new KsqlClient(server.url).pushQuery('SELECT * FROM NOPE EMIT CHANGES;'), (err: unknown) => err instanceof KsqlServerError && err.errorCode === 40001 && /NOPE does not exist/.test(err.message));
});

// KsqlResource.addCommandRunnerWarning puts this on every entity while the command runner is degraded
// (DefaultErrorMessages.COMMAND_RUNNER_DEGRADED_INCOMPATIBLE_COMMANDS_ERROR_MESSAGE).
const DEGRADED =
  'The server has encountered an incompatible entry in its log and cannot process further DDL statements.\nThis is most likely due to the service being rolled back to an earlier version.';

test('contract (replayed ksqlDB responses): the `warnings` of a statement\'s entity are shown with its result and reported as warnings', async () => {
  const statement = 'CREATE OR REPLACE STREAM B AS SELECT * FROM A EMIT CHANGES;';
  const server = await replay(json(200, [{ ...currentStatus(statement, 'Created query with ID CSAS_B_3', 3, 'CSAS_B_3'), warnings: [{ message: DEGRADED }] }]));
  const [result] = await new KsqlClient(server.url).executeScript(statement);
  assert.deepEqual(statementWarnings(result!), [DEGRADED.replace('\n', ' ')]);
  assert.equal(
    formatStatementResult(result!),
    `CREATE OR REPLACE STREAM B AS SELECT * FROM A EMIT CHANGES; -> Created query with ID CSAS_B_3 (query CSAS_B_3); warning: ${DEGRADED.replace('\n', ' ')}`,
  );
  const warningEntity = { statement: { text: 'CREATE STREAM IF NOT EXISTS B AS SELECT * FROM A;', line: 1 }, entities: [{ '@type': 'warning_entity', message: 'Cannot add stream B: A stream with the same name already exists.', warnings: [] }] };
  assert.deepEqual(statementWarnings(warningEntity), ['Cannot add stream B: A stream with the same name already exists.']);
  assert.deepEqual(statementWarnings({ ...warningEntity, entities: [currentStatus('s', 'Stream created', 4)] }), [], 'an empty warnings array is no warning');
});

const REPLACE_SCORES = 'CREATE OR REPLACE STREAM ANOMALYDETECTION WITH (KAFKA_TOPIC=\'ANOMALYDETECTION\', VALUE_FORMAT=\'JSON\') AS SELECT * FROM CARSENSOR_SCORED WHERE ANOMALY_VAL IS NOT NULL EMIT CHANGES;';

/** What edge-ml must say when ksqlDB cannot replace ANOMALYDETECTION in place: so, and how to get past it. */
function assertRefusedReplacement(err: unknown, serverMessage: RegExp): true {
  assert.ok(err instanceof KsqlServerError, String(err));
  assert.match(err.message, /^ksqlDB cannot replace stream ANOMALYDETECTION in place/);
  assert.match(err.message, serverMessage);
  assert.match(err.hint ?? '', /edge-ml down --volumes/);
  assert.match(err.hint ?? '', /edge-ml ksql run "DROP STREAM ANOMALYDETECTION DELETE TOPIC;"/);
  return true;
}

test('contract (replayed ksqlDB responses): a query upgrade ksqlDB refuses (generic_error 40000) says the stream cannot be replaced in place and names the fixes', async () => {
  // The sandboxed validation throws the plan's KsqlException; KsqlResource answers it with Errors.badRequest.
  const message = 'Query is not upgradeable. Plan step of type StreamSource must have matching topicName. Values differ: temperature vs. CARSENSOR_SCORED';
  const server = await replay(json(400, { '@type': 'generic_error', error_code: 40000, message }));
  await assert.rejects(new KsqlClient(server.url).execute(REPLACE_SCORES), (err) => assertRefusedReplacement(err, /Query is not upgradeable/));
});

test('contract (replayed ksqlDB responses): a schema change ksqlDB refuses (statement_error 40001) says the stream cannot be replaced in place and names the fixes', async () => {
  const message = "Cannot upgrade data source: DataSource '`ANOMALYDETECTION`' has schema = `MQTT_TOPIC` STRING KEY, `CARID` STRING, `EVENTID` INTEGER, `ANOMALY_VAL` DOUBLE which is not upgradeable to `MQTT_TOPIC` STRING KEY, `CARID` STRING, `ANOMALY_VAL` DOUBLE. (The following columns are changed, missing or reordered: [`EVENTID` INTEGER, `ANOMALY_VAL` DOUBLE])";
  const server = await replay(json(400, { '@type': 'statement_error', error_code: 40001, message, statementText: REPLACE_SCORES, entities: [] }));
  await assert.rejects(new KsqlClient(server.url).execute(REPLACE_SCORES), (err) => assertRefusedReplacement(err, /Cannot upgrade data source/));
});

test('contract (replayed ksqlDB responses): a command that failed when ksqlDB ran it (currentStatus ERROR) is an error, not a result', async () => {
  // InteractiveStatementExecutor puts the exception's stack trace in the status message.
  const stackTrace = 'io.confluent.ksql.util.KsqlStatementException: Query is not upgradeable. Plan step of type StreamSource must have matching topicName.\n\tat io.confluent.ksql.engine.EngineExecutor.execute(EngineExecutor.java:200)';
  const server = await replay(json(200, [{ ...currentStatus(REPLACE_SCORES, '', 7), commandStatus: { status: 'ERROR', message: stackTrace, queryId: null } }]));
  await assert.rejects(new KsqlClient(server.url).execute(REPLACE_SCORES), (err) => {
    assertRefusedReplacement(err, /ERROR: Query is not upgradeable\. Plan step of type StreamSource must have matching topicName\.$/m);
    assert.doesNotMatch((err as Error).message, /EngineExecutor\.java/, 'the message, not the stack trace');
    return true;
  });
});
