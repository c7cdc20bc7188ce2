/**
 * Contract tests of the ksqlDB client against a local HTTP server that replays the response shapes
 * documented for ksqlDB 7.9 (shared/reference/confluent-facts.md §2-3). No real ksqlDB runs here:
 * these tests pin what the client sends and how it reads the documented answers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from './support/node-test.js';
import { EdgeMlError } from '../src/errors.js';
import { KsqlClient } from '../src/ksql/client.js';
import { KsqlServerError } from '../src/ksql/errors.js';
import { checkAnomalyFunction, describeEntity, formatStatementResult, statementWarnings } from '../src/ksql/format.js';
import { runCli, type CliRun } from './support/cli.js';
import { issueCertificate, makeCa, type IssuedCertificate } from './support/pki.js';
import { freePort } from './support/ports.js';
import { tempDir } from './support/temp-dir.js';

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
  return serve((listener) => createServer(listener), 'http', handlers);
}

/** The same over https, with the given certificate. */
async function replayHttps(tls: IssuedCertificate, ...handlers: Handler[]): Promise<{ url: string; requests: Recorded[] }> {
  return serve((listener) => createHttpsServer({ key: tls.key, cert: tls.cert }, listener), 'https', handlers);
}

async function serve(create: (listener: RequestListener) => Server, scheme: string, handlers: Handler[]): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  const server = create((req, res) => {
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
  return { url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
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

// ksqlDB with HTTP basic auth (authentication.method=BASIC; Confluent Cloud ksqlDB with an API key),
// over TLS with a private CA. A refused login is FailureHandler's KsqlErrorMessage: status 401,
// error_code 40100 (Errors.ERROR_CODE_UNAUTHORIZED), message "Unauthorized" (the 401 reason phrase),
// with the basic auth challenge; a refused role is 403, 40300 "Forbidden" (ksql AuthTest).
describe('ksqlDB with credentials over https', () => {
  const KEY = 'EDGEKEY7Q2';
  const SECRET = 'sEcReT-9f81b7c2-do-not-print';
  const authorization = (key: string, secret: string): string => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
  const RIGHT = authorization(KEY, SECRET);
  const credentials = { apiKey: KEY, apiSecret: SECRET };

  const unauthorized: Handler = (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="KsqlServer-Props"' });
    res.end(JSON.stringify({ '@type': 'generic_error', error_code: 40100, message: 'Unauthorized' }));
  };
  const streams = json(200, [{ '@type': 'streams', statementText: 'SHOW STREAMS;', streams: [{ type: 'STREAM', name: 'TEMPERATURE', topic: 'temperature', keyFormat: 'KAFKA', valueFormat: 'JSON', isWindowed: false }], warnings: [] }]);
  /** ksqlDB with one user: the right Authorization header gets `answer`, any other a 401. */
  const guarded =
    (answer: Handler): Handler =>
    (req, res) =>
      req.headers.authorization === RIGHT ? answer(req, res) : unauthorized(req, res);

  /** A private CA; another one that signed nothing here; its certificates for 127.0.0.1 and localhost, and for wrong.example only (a name mismatch on 127.0.0.1). */
  let pki: { caFile: string; otherCaFile: string; server: IssuedCertificate; wrongName: IssuedCertificate };
  let ca: string;
  before(async () => {
    const dir = tempDir('edge-ml-tls-');
    const privateCa = await makeCa(dir, 'ca');
    pki = {
      caFile: privateCa.certFile,
      otherCaFile: (await makeCa(dir, 'other-ca')).certFile,
      server: await issueCertificate(privateCa, dir, 'server', { altNames: 'DNS:localhost,IP:127.0.0.1', usage: 'server' }),
      wrongName: await issueCertificate(privateCa, dir, 'wrong-name', { altNames: 'DNS:wrong.example', usage: 'server' }),
    };
    ca = privateCa.cert;
  });

  /** Neither the secret nor the header carrying it appears in `text`. */
  const assertNoSecret = (text: string, where: string): void => {
    assert.ok(!text.includes(SECRET), `the secret appears in ${where}:\n${text}`);
    assert.ok(!text.includes(RIGHT.slice('Basic '.length)), `the encoded credentials appear in ${where}:\n${text}`);
  };

  test('contract (replayed ksqlDB responses): right credentials over https with the private CA: every request carries Basic base64(key:secret) and statements run', async () => {
    const server = await replayHttps(pki.server, guarded((req, res) => (req.path === '/info' ? json(200, { KsqlServerInfo: { version: '7.9.0' } })(req, res) : streams(req, res))));
    const client = new KsqlClient(server.url, { credentials, ca });
    assert.equal((await client.info()).version, '7.9.0');
    const [entity] = await client.execute('SHOW STREAMS;');
    assert.equal(entity!['@type'], 'streams');
    assert.deepEqual(
      server.requests.map((r) => r.headers.authorization),
      [RIGHT, RIGHT],
    );
  });

  test('contract (replayed ksqlDB responses): a 401 (40100 Unauthorized) says the credentials were refused, names the flags, is not retried and does not show the secret', async () => {
    const server = await replayHttps(pki.server, guarded(streams));
    await assert.rejects(new KsqlClient(server.url, { credentials: { apiKey: KEY, apiSecret: 'wrong' }, ca, ...fast }).execute('SHOW STREAMS;'), (err: unknown) => {
      assert.ok(err instanceof EdgeMlError && !(err instanceof KsqlServerError), String(err));
      assert.equal(err.message, `ksqlDB at ${server.url} refused the credentials (HTTP 401: Unauthorized)`);
      assert.match(err.hint ?? '', /--ksql-api-key and --ksql-api-secret \(or KSQL_API_KEY and KSQL_API_SECRET\)/);
      assert.equal(err.exitCode, 1);
      return true;
    });
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers.authorization, authorization(KEY, 'wrong'));
  });

  test('contract (replayed ksqlDB responses): a 401 without credentials says the server requires them', async () => {
    const server = await replayHttps(pki.server, guarded(streams));
    await assert.rejects(new KsqlClient(server.url, { ca }).info(), (err: unknown) => {
      assert.ok(err instanceof EdgeMlError);
      assert.equal(err.message, `ksqlDB at ${server.url} requires credentials (HTTP 401: Unauthorized)`);
      assert.match(err.hint ?? '', /--ksql-api-key/);
      return true;
    });
    assert.equal(server.requests[0]!.headers.authorization, undefined, 'no Authorization header without credentials');
  });

  test('contract (replayed ksqlDB responses): a 403 (40300 Forbidden) says the credentials are not allowed to run the statement', async () => {
    const server = await replayHttps(pki.server, json(403, { '@type': 'generic_error', error_code: 40300, message: 'Forbidden' }));
    await assert.rejects(new KsqlClient(server.url, { credentials, ca }).execute('DROP STREAM TEMPERATURE;'), (err: unknown) => {
      assert.ok(err instanceof EdgeMlError);
      assert.equal(err.message, `ksqlDB at ${server.url}: the credentials are not allowed to run \`DROP STREAM TEMPERATURE;\` (HTTP 403: Forbidden)`);
      assertNoSecret(`${err.message} ${err.hint}`, 'the error');
      return true;
    });
  });

  test("contract (replayed ksqlDB responses): a 403 40301 is ksqlDB's own Kafka access refused, not the caller's", async () => {
    const message = 'Authorization denied to Write on topic(s): [temperature]';
    const server = await replayHttps(pki.server, json(403, { '@type': 'generic_error', error_code: 40301, message }));
    await assert.rejects(new KsqlClient(server.url, { credentials, ca }).execute("INSERT INTO TEMPERATURE (CARID) VALUES ('7');"), (err: unknown) => {
      assert.ok(err instanceof EdgeMlError);
      assert.match(err.message, /is not allowed by Kafka to run `INSERT INTO TEMPERATURE .*` \(HTTP 403, error 40301: Authorization denied to Write on topic\(s\): \[temperature\]\)/);
      assert.match(err.hint ?? '', /ACLs/);
      return true;
    });
  });

  /** The TLS error for `url`: names the URL, and says what to do. */
  const assertTlsError = (url: string, what: RegExp, hint: RegExp) => (err: unknown) => {
    assert.ok(err instanceof EdgeMlError, String(err));
    assert.ok(err.message.startsWith(`TLS to ksqlDB at ${url}/`), err.message);
    assert.match(err.message, what);
    assert.match(err.hint ?? '', hint);
    assertNoSecret(`${err.message} ${err.hint}`, 'the error');
    return true;
  };

  test('contract (replayed ksqlDB responses): a server certificate from a CA not trusted (none given, or another) is a TLS error naming the URL and --ksql-ca', async () => {
    const server = await replayHttps(pki.server, guarded(streams));
    const untrusted = assertTlsError(server.url, /its certificate is not trusted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY): /, /--ksql-ca FILE \(PEM\).*NODE_EXTRA_CA_CERTS/);
    await assert.rejects(new KsqlClient(server.url, { credentials, ...fast }).execute('SHOW STREAMS;'), untrusted);
    await assert.rejects(new KsqlClient(server.url, { credentials, ca: readFileSync(pki.otherCaFile, 'utf8'), ...fast }).execute('SHOW STREAMS;'), untrusted);
    assert.equal(server.requests.length, 0, 'no request, so no credentials, went to an untrusted server');
  });

  test('contract (replayed ksqlDB responses): a certificate for another host name is a TLS error saying so', async () => {
    const server = await replayHttps(pki.wrongName, guarded(streams));
    await assert.rejects(
      new KsqlClient(server.url, { credentials, ca, ...fast }).execute('SHOW STREAMS;'),
      assertTlsError(server.url, /its certificate is not for 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID: /, /host name the certificate names/),
    );
    assert.equal(server.requests.length, 0);
  });

  test('contract (replayed ksqlDB responses): https:// to a plain-http ksqlDB says it does not speak TLS', async () => {
    const server = await replay(streams);
    const url = server.url.replace('http:', 'https:');
    await assert.rejects(new KsqlClient(url, { ca, ...fast }).execute('SHOW STREAMS;'), assertTlsError(url, /does not speak TLS/, /http:\/\//));
  });

  describe('the CLI (edge-ml ksql) against the replayed server', () => {
    const home = tempDir('edge-ml-ksql-auth-');
    const ksql = (url: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
      runCli(home, ['--state-dir', home, 'ksql', '--ksql-url', url, ...args], { timeoutMs: 30_000, env: { KSQL_API_KEY: undefined, KSQL_API_SECRET: undefined, ...env } });
    const assertNoSecretIn = (run: CliRun): void => {
      assertNoSecret(run.stdout, 'stdout');
      assertNoSecret(run.stderr, 'stderr');
    };

    test('contract (replayed ksqlDB responses): flags, or the environment, with --ksql-ca: the statement runs (--json --verbose too) and the secret is printed nowhere', async () => {
      const server = await replayHttps(pki.server, guarded(streams));
      const byFlags = await ksql(server.url, ['--ksql-ca', pki.caFile, '--ksql-api-key', KEY, '--ksql-api-secret', SECRET, 'run', 'SHOW STREAMS;']);
      assert.equal(byFlags.exitCode, 0, byFlags.stderr);
      assert.match(byFlags.stdout, /TEMPERATURE/);
      assertNoSecretIn(byFlags);

      const byEnv = await runCli(home, ['--state-dir', home, '--json', '--verbose', 'ksql', '--ksql-url', server.url, '--ksql-ca', pki.caFile, 'run', 'SHOW STREAMS;'], {
        timeoutMs: 30_000,
        env: { KSQL_API_KEY: KEY, KSQL_API_SECRET: SECRET },
      });
      assert.equal(byEnv.exitCode, 0, byEnv.stderr);
      assert.match(byEnv.stdout, /TEMPERATURE/);
      assertNoSecretIn(byEnv);

      // The flag wins over the environment: a wrong secret in the environment is not used.
      const flagWins = await ksql(server.url, ['--ksql-ca', pki.caFile, '--ksql-api-secret', SECRET, 'run', 'SHOW STREAMS;'], { KSQL_API_KEY: KEY, KSQL_API_SECRET: 'wrong' });
      assert.equal(flagWins.exitCode, 0, flagWins.stderr);
      assert.ok(server.requests.every((r) => r.headers.authorization === RIGHT));
    });

    test('contract (replayed ksqlDB responses): a refused secret exits 1 saying the credentials were refused, without printing them', async () => {
      const server = await replayHttps(pki.server, guarded(streams));
      const wrongSecret = `${SECRET}-old`;
      const run = await ksql(server.url, ['--ksql-ca', pki.caFile, '--ksql-api-key', KEY, '--ksql-api-secret', wrongSecret, '--verbose', 'run', 'SHOW STREAMS;']);
      assert.equal(run.exitCode, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`ksqlDB at ${server.url.replace(/[.]/g, '\\.')} refused the credentials \\(HTTP 401: Unauthorized\\)`));
      assert.match(run.stderr, /hint: check --ksql-api-key and --ksql-api-secret/);
      assertNoSecretIn(run);
      assert.ok(!`${run.stdout}${run.stderr}`.includes(wrongSecret), 'the refused secret is not printed either');
    });

    test('contract (replayed ksqlDB responses): an untrusted certificate exits 1 naming the URL and --ksql-ca, and sends nothing', async () => {
      const server = await replayHttps(pki.server, guarded(streams));
      const run = await ksql(server.url, ['--ksql-api-key', KEY, '--ksql-api-secret', SECRET, 'run', 'SHOW STREAMS;']);
      assert.equal(run.exitCode, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`TLS to ksqlDB at ${server.url.replace(/[.]/g, '\\.')}/ksql failed: its certificate is not trusted`));
      assert.match(run.stderr, /--ksql-ca/);
      assertNoSecretIn(run);
      assert.equal(server.requests.length, 0);
    });

    test('--ksql-ca with an http:// URL is a usage error (exit 2)', async () => {
      const run = await ksql('http://127.0.0.1:8088', ['--ksql-ca', pki.caFile, 'run', 'SHOW STREAMS;']);
      assert.equal(run.exitCode, 2, run.stderr);
      assert.match(run.stderr, /--ksql-ca is for an https:\/\/ --ksql-url/);
    });

    test('contract (replayed ksqlDB responses): credentials over plain http:// work, with a warning', async () => {
      const server = await replay(guarded(streams));
      const run = await ksql(server.url, ['--ksql-api-key', KEY, '--ksql-api-secret', SECRET, 'run', 'SHOW STREAMS;']);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.match(run.stderr, /warning: the ksqlDB API key and secret go unencrypted over http:\/\/127\.0\.0\.1:/);
      assertNoSecretIn(run);
    });
  });
});
