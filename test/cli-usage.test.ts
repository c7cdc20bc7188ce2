import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from './support/node-test.js';
import { execa } from 'execa';
import { SCENARIOS_DIR } from '../src/scenario/load.js';
import { runCli, type CliRun } from './support/cli.js';
import { issueCertificate, makeCa } from './support/pki.js';
import { freeKafkaPort, freePort } from './support/ports.js';

/**
 * Bad command lines through the built CLI: exit 2 naming the flag (and the bad value), a broken
 * scenario file named by file and line, a port held by a stranger named with its pid and command;
 * and none of them leaves a process or a file behind.
 */

const CLI_TIMEOUT_MS = 30_000;
const homes: string[] = [];
const holders: ChildProcess[] = [];

after(async () => {
  for (const holder of holders) if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
  for (const home of homes) {
    // Only when a test failed by starting something: stop it before removing its state dir.
    if ((await processesMentioning(home)).exitCode === 0) await runCli(home, ['--runtime', 'local', 'down'], { timeoutMs: 60_000 });
    rmSync(home, { recursive: true, force: true });
  }
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  homes.push(dir);
  return dir;
}

function processesMentioning(path: string) {
  return execa('pgrep', ['-af', path], { reject: false, timeout: 10_000 });
}

/** The command ran in `home` and left nothing there: no process mentions it, no file was written. */
async function assertNothingLeft(home: string): Promise<void> {
  const pgrep = await processesMentioning(home);
  // pgrep exits 1 for "no match"; any other status means the check itself did not run.
  assert.equal(pgrep.exitCode, 1, `pgrep -af ${home}: ${pgrep.exitCode === undefined ? pgrep.message : `exit ${pgrep.exitCode}`}\n${pgrep.stdout}${pgrep.stderr}`);
  assert.ok(!existsSync(join(home, 'platform.json')), 'no platform recorded');
  assert.deepEqual(readdirSync(home), [], `nothing written in the state dir ${home}`);
}

function assertNames(run: CliRun, names: readonly string[]): void {
  for (const name of names) assert.ok(run.stderr.includes(name), `stderr names ${name}:\n${run.stderr}`);
}

interface UsageCase {
  /** What bad input it is, for the test's name. */
  bad: string;
  args: string[];
  /** What stderr must say: the flag, and the bad value where the value is the problem. */
  names: string[];
  /** The message is commander's own (printed before exitOverride hands the error to src/cli.ts). */
  byCommander?: boolean;
  /** What must appear nowhere in the output: a secret given on the command line. */
  absent?: string[];
}

const MISSING_JAR = '/nonexistent/edge-ml-anomaly-udf.jar';

const usageCases: UsageCase[] = [
  { bad: 'an unknown command', args: ['frobnicate'], names: ["unknown command 'frobnicate'"], byCommander: true },
  { bad: 'an unknown global option', args: ['--frobnicate', 'status'], names: ["unknown option '--frobnicate'"], byCommander: true },
  { bad: 'an unknown runtime', args: ['--runtime', 'k8s', 'status'], names: ['--runtime', "'k8s'", 'docker, local'], byCommander: true },
  { bad: 'no command at all', args: [], names: ['Usage: edge-ml', 'Commands:'] },

  { bad: 'up --kafka-port out of range', args: ['up', '--runtime', 'local', '--kafka-port', '70000'], names: ['--kafka-port', "'70000'"], byCommander: true },
  { bad: 'up --mqtt-port not a number', args: ['up', '--runtime', 'local', '--mqtt-port', 'mqtt'], names: ['--mqtt-port', "'mqtt'"], byCommander: true },
  { bad: 'up --timeout 0', args: ['up', '--runtime', 'local', '--timeout', '0'], names: ['--timeout', "'0'"], byCommander: true },
  { bad: 'up --host not an IP address', args: ['up', '--runtime', 'local', '--host', '999.1.1.1'], names: ['--host', "'999.1.1.1'"], byCommander: true },
  { bad: 'up --jar that does not exist', args: ['up', '--runtime', 'local', '--jar', MISSING_JAR], names: ['--jar', MISSING_JAR], byCommander: true },

  { bad: 'generate --cars 0', args: ['generate', '--cars', '0'], names: ['--cars', "'0'"], byCommander: true },
  { bad: 'generate --qos 3', args: ['generate', '--qos', '3'], names: ['--qos', "'3'", '0, 1, 2'], byCommander: true },
  { bad: 'generate --anomaly-rate above 1', args: ['generate', '--anomaly-rate', '1.5'], names: ['--anomaly-rate', "'1.5'"], byCommander: true },
  { bad: 'generate --anomaly-kinds an unknown kind', args: ['generate', '--anomaly-kinds', 'fire', '--output', '/nonexistent/windows.csv'], names: ['--anomaly-kinds', "'fire'"] },

  { bad: 'tail --max 0', args: ['tail', '--max', '0'], names: ['--max', "'0'"], byCommander: true },
  { bad: 'tail --bootstrap-server without a port', args: ['tail', '--bootstrap-server', 'kafka-host'], names: ['--bootstrap-server', "'kafka-host'"], byCommander: true },
  { bad: 'tail --bootstrap-server with port 0', args: ['tail', '--bootstrap-server', '127.0.0.1:9092,127.0.0.1:0'], names: ['--bootstrap-server', "'127.0.0.1:0'"], byCommander: true },

  { bad: 'dashboard --port out of range', args: ['dashboard', '--port', '70000'], names: ['--port', "'70000'"], byCommander: true },
  { bad: 'dashboard --host not an IP address', args: ['dashboard', '--host', 'localhost:80'], names: ['--host', "'localhost:80'"], byCommander: true },

  { bad: 'status with an unknown option', args: ['status', '--watch'], names: ["unknown option '--watch'"], byCommander: true },
  { bad: 'status with an argument', args: ['status', 'kafka'], names: ["too many arguments for 'status'"], byCommander: true },

  { bad: 'down --volume (a typo, with a suggestion)', args: ['down', '--volume'], names: ["unknown option '--volume'", 'Did you mean --volumes?'], byCommander: true },

  { bad: 'smoke --messages not a whole number', args: ['smoke', '--runtime', 'local', '--messages', '1.5'], names: ['--messages', "'1.5'"], byCommander: true },
  { bad: 'smoke --min-recall negative', args: ['smoke', '--runtime', 'local', '--min-recall', '-0.1'], names: ['--min-recall', "'-0.1'"], byCommander: true },
  { bad: 'smoke --jar that does not exist', args: ['smoke', '--runtime', 'local', '--jar', MISSING_JAR], names: ['--jar', MISSING_JAR], byCommander: true },

  { bad: 'demo --rate 0', args: ['demo', '--runtime', 'local', '--rate', '0'], names: ['--rate', "'0'"], byCommander: true },
  { bad: 'demo --seed above 2^32-1', args: ['demo', '--runtime', 'local', '--seed', '4294967296'], names: ['--seed', "'4294967296'"], byCommander: true },

  { bad: 'udf without a subcommand', args: ['udf'], names: ['Usage: edge-ml udf', 'deploy'] },
  { bad: 'udf with an unknown subcommand', args: ['udf', 'remove'], names: ["unknown command 'remove'"], byCommander: true },
  { bad: 'udf deploy --jar that does not exist', args: ['udf', 'deploy', '--runtime', 'local', '--jar', MISSING_JAR], names: ['--jar', MISSING_JAR], byCommander: true },
  { bad: 'udf deploy --jar without its value', args: ['udf', 'deploy', '--jar'], names: ["option '--jar <path>' argument missing"], byCommander: true },

  { bad: 'ksql without a subcommand', args: ['ksql'], names: ['Usage: edge-ml ksql', 'apply', 'run'] },
  { bad: 'ksql --ksql-url not an http URL', args: ['ksql', '--ksql-url', 'ksqldb:8088', 'run', 'SHOW STREAMS;'], names: ['--ksql-url', "'ksqldb:8088'"], byCommander: true },
  { bad: 'ksql apply a file that does not exist', args: ['ksql', '--runtime', 'local', 'apply', '/nonexistent/streams.sql'], names: ['/nonexistent/streams.sql', 'does not exist'] },
  { bad: 'ksql run without its statement', args: ['ksql', 'run'], names: ["missing required argument 'statement'"], byCommander: true },
  { bad: 'ksql --ksql-api-key without its secret', args: ['ksql', '--ksql-url', 'https://ksqldb.example', '--ksql-api-key', 'KEY1', 'run', 'SHOW STREAMS;'], names: ['API key without its secret', '--ksql-api-secret is missing', 'KSQL_API_SECRET'] },
  { bad: 'ksql --ksql-api-secret without its key', args: ['ksql', '--ksql-url', 'https://ksqldb.example', '--ksql-api-secret', 'hunter2-secret', 'run', 'SHOW STREAMS;'], names: ['--ksql-api-key is missing', 'KSQL_API_KEY'], absent: ['hunter2-secret'] },
  { bad: 'ksql credentials without --ksql-url', args: ['ksql', '--ksql-api-key', 'KEY1', '--ksql-api-secret', 'hunter2-secret', 'run', 'SHOW STREAMS;'], names: ['--ksql-api-key, --ksql-api-secret given without --ksql-url'], absent: ['hunter2-secret'] },
  { bad: 'ksql --ksql-url with credentials in it', args: ['ksql', '--ksql-url', 'https://KEY1:hunter2-secret@ksqldb.example', 'run', 'SHOW STREAMS;'], names: ['--ksql-url carries credentials', '--ksql-api-key'], absent: ['hunter2-secret'] },
  { bad: 'ksql --ksql-ca that does not exist', args: ['ksql', '--ksql-url', 'https://ksqldb.example', '--ksql-ca', '/nonexistent/ca.pem', 'run', 'SHOW STREAMS;'], names: ['--ksql-ca', "'/nonexistent/ca.pem'"], byCommander: true },
  { bad: 'ksql --ksql-ca not a PEM file', args: ['ksql', '--ksql-url', 'https://ksqldb.example', '--ksql-ca', join(SCENARIOS_DIR, 'connected-cars.yaml'), 'run', 'SHOW STREAMS;'], names: ['--ksql-ca', 'holds no PEM certificate'], byCommander: true },

  { bad: 'up --partitions without --bootstrap-server', args: ['up', '--runtime', 'local', '--partitions', '3'], names: ['--partitions is for topics on your own cluster', '--bootstrap-server'] },
  { bad: 'up --no-mqtt-endpoint with --no-processor', args: ['up', '--bootstrap-server', '127.0.0.1:1', '--no-mqtt-endpoint', '--no-processor'], names: ['leaves nothing to run'] },
  { bad: 'up --processors with --no-processor', args: ['up', '--bootstrap-server', '127.0.0.1:1', '--processors', '3', '--no-processor'], names: ['--processors with --no-processor'] },
  { bad: 'up --processors 0', args: ['up', '--bootstrap-server', '127.0.0.1:1', '--processors', '0'], names: ['--processors', "'0'"], byCommander: true },
  { bad: 'up --bootstrap-server without a port', args: ['up', '--bootstrap-server', 'kafka-host'], names: ['--bootstrap-server', "got 'kafka-host'"], byCommander: true },
  { bad: 'up --mqtt not a known MQTT service', args: ['up', '--runtime', 'docker', '--mqtt', 'bogus'], names: ['--mqtt', "'bogus'", 'expected one of proxy, endpoint'], byCommander: true },
  { bad: 'smoke --mqtt proxy on the local runtime', args: ['smoke', '--runtime', 'local', '--mqtt', 'proxy'], names: ['--mqtt proxy', 'runs only on the docker runtime', '--runtime docker'] },
  { bad: 'up --mqtt proxy attached to your own cluster (the local runtime)', args: ['up', '--bootstrap-server', '127.0.0.1:1', '--mqtt', 'proxy'], names: ['--mqtt proxy', 'runs only on the docker runtime'] },
  { bad: 'attached up on the docker runtime', args: ['up', '--runtime', 'docker', '--bootstrap-server', '127.0.0.1:1'], names: ['run on the local runtime', '--runtime local'] },
  { bad: 'down --delete-topics with no attached platform', args: ['down', '--runtime', 'local', '--delete-topics'], names: ['--delete-topics is for a platform attached to your own cluster', 'down --volumes'] },
  { bad: 'up on a non-loopback --host with no MQTT users', args: ['up', '--runtime', 'local', '--host', '0.0.0.0'], names: ['--host 0.0.0.0', '--mqtt-password-file', '--mqtt-allow-anonymous'] },
  { bad: 'smoke --mqtt-tls-cert that does not exist', args: ['smoke', '--runtime', 'local', '--mqtt-tls-cert', '/nonexistent/endpoint.pem', '--mqtt-tls-key', '/nonexistent/endpoint.key'], names: ['--mqtt-tls-cert /nonexistent/endpoint.pem', 'ENOENT'] },
  { bad: 'up --mqtt-tls-cert not a PEM certificate', args: ['up', '--runtime', 'local', '--mqtt-tls-cert', join(SCENARIOS_DIR, 'connected-cars.yaml'), '--mqtt-tls-key', join(SCENARIOS_DIR, 'connected-cars.sql')], names: [`--mqtt-tls-cert ${join(SCENARIOS_DIR, 'connected-cars.yaml')} holds no PEM certificate`] },
  { bad: 'up --mqtt-tls-cert without its key', args: ['up', '--runtime', 'local', '--mqtt-tls-cert', '/nonexistent/endpoint.pem'], names: ['--mqtt-tls-cert needs --mqtt-tls-key'] },
  { bad: 'demo --mqtt-port 0 without TLS', args: ['demo', '--runtime', 'local', '--mqtt-port', '0'], names: ['--mqtt-port 0', '--mqtt-tls-cert'] },
  { bad: 'up --mqtt-password-file that does not exist', args: ['up', '--runtime', 'local', '--mqtt-password-file', '/nonexistent/passwd'], names: ['/nonexistent/passwd', 'mosquitto_passwd'] },
  { bad: 'generate --credentials with --username', args: ['generate', '--credentials', '/nonexistent/cars.txt', '--username', 'car-1'], names: ['--username or --credentials'] },
  { bad: 'model without a subcommand', args: ['model'], names: ['Usage: edge-ml model', 'eval', 'score'] },
  { bad: 'model eval --windows 0', args: ['model', 'eval', '--windows', '0'], names: ['--windows', "'0'"], byCommander: true },
  { bad: 'model eval --seed negative', args: ['model', 'eval', '--seed', '-1'], names: ['--seed', "'-1'"], byCommander: true },
  { bad: 'model score --jar that does not exist', args: ['model', 'score', '--jar', MISSING_JAR], names: ['--jar', MISSING_JAR], byCommander: true },
];

// Each case has its own state dir and starts nothing: two run at a time, a CLI start-up on each core.
describe('usage errors exit 2, name the flag and the bad value, and start nothing', { concurrency: 2 }, () => {
  for (const c of usageCases) {
    test(`${c.bad}: exit 2`, async () => {
      const home = tempDir('edge-ml-usage-');
      // Credentials in the runner's own environment must not fill in what a case leaves out.
      const run = await runCli(home, ['--state-dir', home, ...c.args], { timeoutMs: CLI_TIMEOUT_MS, input: '', env: { KSQL_API_KEY: undefined, KSQL_API_SECRET: undefined } });
      assert.equal(run.exitCode, 2, `edge-ml ${c.args.join(' ')}: exit ${run.exitCode}\n${run.stderr}`);
      assertNames(run, c.names);
      if (c.byCommander) assert.match(run.stderr, /^error: /m, 'commander printed its message');
      else assert.doesNotMatch(run.stderr, /unexpected error/);
      assert.equal(run.stdout, '', 'nothing on stdout');
      for (const secret of c.absent ?? []) assert.ok(!run.stderr.includes(secret), `stderr shows ${secret}:\n${run.stderr}`);
      await assertNothingLeft(home);
    });
  }

  test('--help and --version still exit 0', async () => {
    const home = tempDir('edge-ml-usage-');
    for (const args of [['--help'], ['up', '--help'], ['help', 'generate'], ['--version']]) {
      const run = await runCli(home, args, { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(run.exitCode, 0, `edge-ml ${args.join(' ')}: ${run.stderr}`);
      assert.notEqual(run.stdout, '', `edge-ml ${args.join(' ')} prints to stdout`);
    }
  });
});

describe('a broken --scenario file exits 2 naming file and line, before anything starts', () => {
  const dir = tempDir('edge-ml-usage-scenario-');
  copyFileSync(join(SCENARIOS_DIR, 'connected-cars.sql'), join(dir, 'connected-cars.sql'));
  const good = readFileSync(join(SCENARIOS_DIR, 'connected-cars.yaml'), 'utf8');

  /** The bundled scenario with one line replaced; returns the file and the 1-based line changed. */
  function brokenScenario(name: string, line: RegExp, replacement: string): { file: string; lineNo: number } {
    const lines = good.split('\n');
    const index = lines.findIndex((l) => line.test(l));
    assert.ok(index >= 0, `the bundled scenario has a line ${line}`);
    lines[index] = replacement;
    const file = join(dir, name);
    writeFileSync(file, lines.join('\n'));
    return { file, lineNo: index + 1 };
  }

  const syntax = brokenScenario('broken-syntax.yaml', /^ {6}partitions: \d+$/, '      partitions: 3: 4');
  const wrongType = brokenScenario('wrong-type.yaml', /^ {2}threshold: /, '  threshold: "high"');
  const cases = [
    { bad: 'a YAML syntax error', broken: syntax, names: ['not valid YAML'] },
    { bad: "a wrong field type (model.threshold: \"high\")", broken: wrongType, names: ["field 'model.threshold' must be a number", '"high"'] },
  ];

  for (const { bad, broken, names } of cases) {
    const fileLine = `${basename(broken.file)}:${broken.lineNo}:`;
    test(`${bad}: generate --output exits 2 naming ${fileLine}, no file written`, async () => {
      const home = tempDir('edge-ml-usage-');
      const output = join(home, 'windows.csv');
      const run = await runCli(home, ['--state-dir', home, '--scenario', broken.file, 'generate', '--output', output, '--count', '1'], { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(run.exitCode, 2, run.stderr);
      assertNames(run, [fileLine, ...names]);
      await assertNothingLeft(home);
    });

    test(`${bad}: up --runtime local exits 2 naming ${fileLine}, nothing started`, async () => {
      const home = tempDir('edge-ml-usage-');
      const ports = ['--kafka-port', String(await freePort()), '--mqtt-port', String(await freePort())];
      const run = await runCli(home, ['--state-dir', home, '--scenario', broken.file, 'up', '--runtime', 'local', ...ports, '--timeout', '20'], { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(run.exitCode, 2, run.stderr);
      assertNames(run, [fileLine, ...names]);
      await assertNothingLeft(home);
    });
  }
});

describe('bad MQTT security files exit 2 naming the file (and line), before anything starts', () => {
  const dir = tempDir('edge-ml-usage-mqtt-');
  const write = (name: string, lines: string[]): string => {
    const file = join(dir, name);
    writeFileSync(file, lines.join('\n'));
    return file;
  };
  const cases: { bad: string; args: () => Promise<string[]>; names: (args: string[]) => string[] }[] = [
    {
      bad: 'a key that is not the certificate\'s',
      args: async () => {
        const ca = await makeCa(dir, 'ca');
        const one = await issueCertificate(ca, dir, 'one', { altNames: 'IP:127.0.0.1', usage: 'server' });
        const two = await issueCertificate(ca, dir, 'two', { altNames: 'IP:127.0.0.1', usage: 'server' });
        return ['--mqtt-tls-cert', one.certFile, '--mqtt-tls-key', two.keyFile];
      },
      names: (args) => [`--mqtt-tls-key ${args[3]} is not the key of --mqtt-tls-cert ${args[1]}`],
    },
    {
      bad: 'a password file line that is not a $6$ or $7$ hash',
      args: async () => ['--mqtt-password-file', write('passwd', ['car-1:$7$101$AAAAAAAAAAAAAAAA$AAAA', 'car-2:plain-text'])],
      names: (args) => [`${args[1]}:1:`, 'base64 salt'],
    },
    {
      bad: 'an ACL line with an unknown keyword',
      args: async () => ['--mqtt-acl-file', write('acl', ['# cars', 'pattern write car/%u/#', 'topik read car/#'])],
      names: (args) => [`${args[1]}:3:`, "unknown keyword 'topik'"],
    },
    {
      bad: 'an ACL topic with # inside',
      args: async () => ['--mqtt-acl-file', write('acl-hash', ['user car-1', 'topic write car/#/temperature'])],
      names: (args) => [`${args[1]}:2:`, "'car/#/temperature' is not a valid MQTT topic filter"],
    },
  ];
  for (const c of cases) {
    test(`up with ${c.bad}: exit 2`, async () => {
      const home = tempDir('edge-ml-usage-');
      const args = await c.args();
      const run = await runCli(home, ['--state-dir', home, 'up', '--runtime', 'local', ...args], { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(run.exitCode, 2, run.stderr);
      assertNames(run, c.names(args));
      await assertNothingLeft(home);
    });
  }
});

describe('a bad --kafka-config file exits 2 naming file, line and the fix, and never prints the password', () => {
  const dir = tempDir('edge-ml-usage-kafka-config-');
  const SECRET = 'Sup3r-S3cret-Pw';
  const write = (name: string, lines: string[]): string => {
    const file = join(dir, name);
    writeFileSync(file, lines.join('\n'));
    return file;
  };
  const jks = write('truststore.jks', ['\u00fe\u00ed\u00fe\u00ed binary']);
  const files = {
    protocol: write('protocol.properties', ['bootstrap.servers=127.0.0.1:9092', 'security.protocol=TLS', `sasl.password=${SECRET}`]),
    emptyPassword: write('empty-password.properties', ['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u', 'sasl.password=']),
    mechanism: write('mechanism.properties', ['security.protocol=SASL_SSL', 'sasl.mechanism=GSSAPI', `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${SECRET}";`]),
    jks: write('jks.properties', ['security.protocol=SSL', 'ssl.truststore.type=JKS', `ssl.truststore.location=${jks}`, `ssl.truststore.password=${SECRET}`]),
    malformed: write('malformed.properties', ['security.protocol=SASL_SSL', `sasl.password ${SECRET}`]),
    bootstrap: write('bootstrap.properties', ['bootstrap.servers=kafka-host']),
    unset: write('unset.properties', ['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u', 'sasl.password=${EDGE_ML_TEST_UNSET_PASSWORD}']),
  };
  const cases: UsageCase[] = [
    { bad: 'an unreadable file', args: ['--kafka-config', '/nonexistent/client.properties'], names: ['/nonexistent/client.properties', 'cannot read the Kafka client config', '--kafka-config FILE'] },
    { bad: 'an unknown security.protocol', args: ['--kafka-config', files.protocol], names: [`${files.protocol}:2:`, "unknown security.protocol 'TLS'", 'SASL_SSL'] },
    { bad: 'an empty password (--command-config)', args: ['--command-config', files.emptyPassword], names: [`${files.emptyPassword}:4:`, 'sasl.password is empty'] },
    { bad: 'an unsupported mechanism', args: ['--kafka-config', files.mechanism], names: [`${files.mechanism}:2:`, 'GSSAPI is not supported', 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512'] },
    { bad: 'a JKS truststore', args: ['--kafka-config', files.jks], names: [`${files.jks}:2:`, `keytool -exportcert -rfc -alias <alias> -keystore ${jks} -file ca.pem`, 'ssl.truststore.type=PEM'] },
    { bad: 'a malformed line', args: ['--kafka-config', files.malformed], names: [`${files.malformed}:2:`, 'not a key=value line'] },
    { bad: 'a bootstrap.servers without a port', args: ['--kafka-config', files.bootstrap], names: [`${files.bootstrap}:1:`, "got 'kafka-host'"] },
    { bad: 'an unset ${VAR}', args: ['--kafka-config', files.unset], names: [`${files.unset}:4:`, '${EDGE_ML_TEST_UNSET_PASSWORD} is not set'] },
    { bad: '--kafka-config and --command-config naming different files', args: ['--kafka-config', files.protocol, '--command-config', files.jks], names: ['--kafka-config', '--command-config', 'name different files'] },
  ];
  for (const c of cases) {
    test(`tail with ${c.bad}: exit 2`, async () => {
      const home = tempDir('edge-ml-usage-');
      const run = await runCli(home, ['--state-dir', home, 'tail', '--timeout', '1', ...c.args], { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(run.exitCode, 2, run.stderr);
      assertNames(run, c.names);
      assert.ok(!run.stderr.includes(SECRET), `the password is not printed:\n${run.stderr}`);
      assert.equal(run.stdout, '');
      await assertNothingLeft(home);
    });
  }

  test('up with a file that names no bootstrap.servers and no --bootstrap-server: exit 2 saying so, nothing started', async () => {
    const home = tempDir('edge-ml-usage-');
    const file = write('no-bootstrap.properties', ['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u', `sasl.password=${SECRET}`]);
    const run = await runCli(home, ['--state-dir', home, 'up', '--kafka-config', file], { timeoutMs: CLI_TIMEOUT_MS });
    assert.equal(run.exitCode, 2, run.stderr);
    assertNames(run, [`${file} has no bootstrap.servers`, '--bootstrap-server']);
    assert.ok(!run.stderr.includes(SECRET), run.stderr);
    await assertNothingLeft(home);
  });

  test('tail takes bootstrap.servers and the credentials from the file: the broker it cannot reach is the file\'s, exit 1, no password printed', async () => {
    const home = tempDir('edge-ml-usage-');
    const port = await freePort();
    const file = write('good.properties', [`bootstrap.servers=127.0.0.1:${port}`, 'security.protocol=SASL_PLAINTEXT', 'sasl.mechanism=SCRAM-SHA-512', 'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${KAFKA_PASSWORD}";']);
    const run = await runCli(home, ['--state-dir', home, 'tail', '--timeout', '1', '--kafka-config', file], { timeoutMs: CLI_TIMEOUT_MS, env: { KAFKA_PASSWORD: SECRET } });
    assert.equal(run.exitCode, 1, run.stderr);
    assertNames(run, [`cannot reach Kafka at 127.0.0.1:${port}`]);
    assert.ok(!run.stderr.includes(SECRET), run.stderr);
    await assertNothingLeft(home);
  });
});

/** A plain TCP listener on 127.0.0.1:port: a process that is not edge-ml's. Killed in after(). */
const HOLDER_SCRIPT =
  "const server = require('net').createServer();" +
  "server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));" +
  // Gone by itself should the test runner die before its after() hook.
  'setTimeout(() => process.exit(0), 120000);';

async function holdPort(port: number): Promise<ChildProcess> {
  const holder = spawn(process.execPath, ['-e', HOLDER_SCRIPT, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  holders.push(holder);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the port holder did not listen on ${port} within 10 s: ${output}`)), 10_000);
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    holder.stdout!.on('data', onOutput);
    holder.stderr!.on('data', onOutput);
    holder.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the port holder exited (${code ?? signal}) before listening on ${port}: ${output}`));
    });
  });
  return holder;
}


describe('up refuses ports it cannot listen on, with exit 1, before anything starts', () => {
  const cases = [
    { name: 'Kafka', held: (kafka: number) => kafka },
    // The local runtime's KRaft controller listens on the port after Kafka's.
    { name: 'Kafka controller', held: (kafka: number) => kafka + 1 },
    { name: 'MQTT', held: (_kafka: number, mqtt: number) => mqtt },
  ];
  for (const { name, held } of cases) {
    test(`the ${name} port held by a plain TCP listener: named with the holder's pid and command`, async () => {
      const home = tempDir('edge-ml-usage-');
      const kafka = await freeKafkaPort();
      const mqtt = await freePort();
      const heldPort = held(kafka, mqtt);
      const holder = await holdPort(heldPort);
      const args = ['--state-dir', home, 'up', '--runtime', 'local', '--kafka-port', String(kafka), '--mqtt-port', String(mqtt), '--timeout', '20'];
      const run = await runCli(home, args, { timeoutMs: CLI_TIMEOUT_MS });
      assert.equal(run.exitCode, 1, run.stderr);
      assert.ok(run.elapsedMs < 10_000, `refused within seconds, took ${run.elapsedMs} ms`);
      assertNames(run, [`${name} port 127.0.0.1:${heldPort} is in use by pid ${holder.pid} (${process.execPath} -e `]);
      await assertNothingLeft(home);
    });
  }

  test('an address not on this machine (--host 192.0.2.1) is not called "in use": exit 1 naming EADDRNOTAVAIL', async () => {
    const home = tempDir('edge-ml-usage-');
    const args = ['--state-dir', home, 'up', '--runtime', 'local', '--host', '192.0.2.1', '--mqtt-allow-anonymous', '--kafka-port', String(await freeKafkaPort()), '--mqtt-port', String(await freePort()), '--timeout', '20'];
    const run = await runCli(home, args, { timeoutMs: CLI_TIMEOUT_MS });
    assert.equal(run.exitCode, 1, run.stderr);
    assertNames(run, ['MQTT port 192.0.2.1:', 'cannot be listened on: EADDRNOTAVAIL']);
    assert.doesNotMatch(run.stderr, /in use/);
    await assertNothingLeft(home);
  });
});
