/**
 * The MQTT endpoint for real devices, through the CLI on the local runtime (a real Kafka, the
 * processor, the endpoint): MQTTS with a CA made here, users from files mosquitto_passwd wrote
 * ($6$ and $7$), Mosquitto's acl_file; Mosquitto's own clients and the generator as the peers.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunSummary } from '../../src/generator/run-stats.js';
import type { PlatformStatus } from '../../src/runtime/types.js';
import { lastJsonLine, runCli } from '../support/cli.js';
import { readTopicWithKcat } from '../support/kcat.js';
import { seedPayload } from '../support/seed-message.js';
import { after, before, test } from '../support/node-test.js';
import { issueCertificate, makeCa, type Ca } from '../support/pki.js';
import { freeKafkaPort, freePort, waitFor } from '../support/ports.js';
import { tempDir } from '../support/temp-dir.js';

const home = tempDir('edge-ml-mqtt-security-');
const dir = tempDir('edge-ml-mqtt-security-files-');
// Distinctive, so a grep of the logs cannot miss them.
const PASSWORDS = { 'car-1': 'pbkdf2-Secret-4711', 'car-2': 'sha512-Secret-0815' };
const WRONG = 'Wrong-Guess-9999';
const SMOKE_USERS = { 'smoke-car-1': 'smoke-Secret-1', 'smoke-car-2': 'smoke-Secret-2', 'smoke-car-3': 'smoke-Secret-3' };
let ca: Ca;
let otherCa: Ca;
let bootstrap = '';
let mqttPort = 0;
let mqttsPort = 0;


function pub(topic: string, args: string[], eventId = 1) {
  return execa('mosquitto_pub', ['-h', '127.0.0.1', '-t', topic, '-q', '1', '-m', seedPayload(eventId), ...args], { reject: false, timeout: 20_000 });
}
const plain = (): string[] => ['-p', String(mqttPort)];
const tls = (caFile = ca.certFile): string[] => ['-p', String(mqttsPort), '--cafile', caFile];
const login = (user: keyof typeof PASSWORDS, password: string = PASSWORDS[user]): string[] => ['-u', user, '-P', password];

function endpointCounts(): { refusedAuth: number; refusedAcl: number } {
  return JSON.parse(readFileSync(join(home, 'local', 'run', 'mqtt-endpoint-status.json'), 'utf8')) as { refusedAuth: number; refusedAcl: number };
}
/** The status file is written every 2 s. */
async function waitForCount(key: 'refusedAuth' | 'refusedAcl', atLeast: number): Promise<void> {
  await waitFor(`${key} >= ${atLeast}`, () => endpointCounts()[key] >= atLeast, 10_000, 200);
}

async function keysIn(topic: string): Promise<string[]> {
  return (await readTopicWithKcat(bootstrap, topic)).map((r) => r.key ?? '');
}

before(async () => {
  ca = await makeCa(dir, 'ca');
  otherCa = await makeCa(dir, 'other-ca');
  const server = await issueCertificate(ca, dir, 'endpoint', { altNames: 'IP:127.0.0.1,DNS:localhost', usage: 'server' });
  const passwordFile = join(dir, 'passwd');
  // Mosquitto 2's default ($7$, PBKDF2-SHA512) and Mosquitto 1's ($6$, salted SHA512).
  await execa('mosquitto_passwd', ['-c', '-b', passwordFile, 'car-1', PASSWORDS['car-1']]);
  await execa('mosquitto_passwd', ['-H', 'sha512', '-b', passwordFile, 'car-2', PASSWORDS['car-2']]);
  // The smoke's cars: users of their own, so their events are theirs alone in the topics.
  for (const [user, password] of Object.entries(SMOKE_USERS)) await execa('mosquitto_passwd', ['-b', passwordFile, user, password]);
  const hashes = readFileSync(passwordFile, 'utf8');
  assert.match(hashes, /^car-1:\$7\$/m);
  assert.match(hashes, /^car-2:\$6\$/m);
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, ['# each car publishes under its own name only', 'pattern write car/%u/#', ''].join('\n'));
  const kafkaPort = await freeKafkaPort();
  bootstrap = `127.0.0.1:${kafkaPort}`;
  mqttPort = await freePort();
  mqttsPort = await freePort();
  const up = await runCli(home, [
    'up', '--runtime', 'local', '--kafka-port', String(kafkaPort), '--mqtt-port', String(mqttPort), '--mqtts-port', String(mqttsPort), '--timeout', '240',
    '--mqtt-tls-cert', server.certFile, '--mqtt-tls-key', server.keyFile, '--mqtt-password-file', passwordFile, '--mqtt-acl-file', aclFile,
  ]);
  assert.equal(up.exitCode, 0, `up failed:\n${up.stderr}`);
});

after(async () => {
  await runCli(home, ['down', '--volumes']);
});

test('status shows the MQTT and the MQTTS address', async () => {
  const s = lastJsonLine<PlatformStatus>((await runCli(home, ['status', '--json'])).stdout);
  assert.equal(s.endpoints?.mqttUrl, `mqtt://127.0.0.1:${mqttPort}`);
  assert.equal(s.endpoints?.mqttsUrl, `mqtts://127.0.0.1:${mqttsPort}`);
  assert.equal(s.components.find((c) => c.name === 'mqtt-endpoint')?.address, `mqtt://127.0.0.1:${mqttPort}, mqtts://127.0.0.1:${mqttsPort}`);
});

test('mosquitto_pub --cafile over MQTTS lands in temperature and is scored; a client trusting another CA fails', async () => {
  const ok = await pub('car/car-1/engine/temperature', [...tls(), ...login('car-1')], 101);
  assert.equal(ok.exitCode, 0, ok.stderr);
  await waitFor('the MQTTS publish scored', async () => (await keysIn('ANOMALYDETECTION')).includes('car/car-1/engine/temperature'), 90_000, 1000);
  const untrusted = await pub('car/car-1/engine/temperature', [...tls(otherCa.certFile), ...login('car-1')], 102);
  assert.notEqual(untrusted.exitCode, 0);
  assert.match(untrusted.stderr, /certificate|TLS|SSL|protocol error/i);
});

test('users of a mosquitto_passwd file: the right password ($7$ and $6$) lands; a wrong one, none, or no user is refused with "bad user name or password"', async () => {
  const before = endpointCounts().refusedAuth;
  for (const user of ['car-1', 'car-2'] as const) {
    const ok = await pub(`car/${user}/engine/temperature`, [...plain(), ...login(user)], 201);
    assert.equal(ok.exitCode, 0, `${user}: ${ok.stderr}`);
  }
  const refusals = [login('car-1', WRONG), login('car-2', WRONG), ['-u', 'car-1'], []];
  for (const args of refusals) {
    const refused = await pub('car/car-9/engine/temperature', [...plain(), ...args], 202);
    assert.notEqual(refused.exitCode, 0, args.join(' '));
    assert.match(refused.stderr, /bad user name or password/i, args.join(' '));
  }
  await waitForCount('refusedAuth', before + refusals.length);
  const keys = await keysIn('temperature');
  assert.ok(keys.includes('car/car-2/engine/temperature'));
  assert.ok(!keys.includes('car/car-9/engine/temperature'));
});

test('ACL: car-1 may publish to its own topic; to car-2\'s it is refused, counted, and lands nowhere', async () => {
  const before = endpointCounts().refusedAcl;
  const denied = await pub('car/car-2/engine/temperature', [...plain(), ...login('car-1')], 301);
  assert.notEqual(denied.exitCode, 0, 'a QoS 1 publisher learns that its message was not taken');
  await waitForCount('refusedAcl', before + 1);
  const records = await readTopicWithKcat(bootstrap, 'temperature');
  assert.ok(!records.some((r) => r.payload?.startsWith('301,')), 'the denied message is nowhere');
});

test('generate drives the secured endpoint: --broker mqtts:// --cafile --credentials, each car publishing as its user', async () => {
  const credentials = join(dir, 'cars.txt');
  writeFileSync(credentials, Object.entries(PASSWORDS).map(([user, password]) => `${user}:${password}`).join('\n') + '\n');
  const run = await runCli(home, ['generate', '--broker', `mqtts://127.0.0.1:${mqttsPort}`, '--cafile', ca.certFile, '--credentials', credentials, '--count', '3', '--rate', '0', '--json']);
  assert.equal(run.exitCode, 0, run.stderr);
  const summary = lastJsonLine<RunSummary>(run.stdout);
  assert.equal(summary.acked, 6);
  assert.ok(!`${run.stdout}${run.stderr}`.includes(PASSWORDS['car-1']));
});

test('no password appears in any log or file of the state dir; the refusals are logged with the client address', async () => {
  const files: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/\/(data|cache|udf)\//.test(full)) files.push(full);
    }
  };
  walk(join(home, 'local'));
  for (const file of files) {
    const text = readFileSync(file, 'latin1');
    for (const secret of [...Object.values(PASSWORDS), WRONG]) assert.ok(!text.includes(secret), `${file} holds a password`);
  }
  const endpointLog = readFileSync(join(home, 'local', 'logs', 'mqtt-endpoint.log'), 'utf8');
  assert.match(endpointLog, /refused a connection from (::ffff:)?127\.0\.0\.1 .*bad user name or password/);
  assert.match(endpointLog, /refused a publish from .*user 'car-1'.* to 'car\/car-2\/engine\/temperature': the ACL file grants no write access/);
});

test('edge-ml smoke drives the secured endpoint: its cars over MQTTS (--cafile), each logging in from --credentials, every event landed and scored once', async () => {
  const credentials = join(dir, 'smoke-credentials');
  writeFileSync(credentials, Object.entries(SMOKE_USERS).map(([user, password]) => `${user}:${password}`).join('\n') + '\n');
  // Detection is not the point here (3 cars carry few faults): the transport and the checks on it are.
  const run = await runCli(home, ['smoke', '--runtime', 'local', '--cafile', ca.certFile, '--credentials', credentials, '--messages', '20', '--min-recall', '0', '--min-precision', '0', '--json']);
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  const report = lastJsonLine<{ passed: boolean; acked: number; landed: number; scored: number; lost: number; keptRunning: boolean }>(run.stdout);
  assert.equal(report.acked, 60);
  assert.equal(report.landed, 60);
  assert.equal(report.scored, 60);
  assert.equal(report.lost, 0);
  assert.equal(report.keptRunning, true, 'the platform was up before: smoke leaves it running');
  for (const password of Object.values(SMOKE_USERS)) assert.ok(!(run.stdout + run.stderr).includes(password), 'no password printed');
});
