import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer, type ConnectionOptions, type Server } from 'node:tls';
import { after, before, describe, test } from './support/node-test.js';
import { issueCertificate, makeCa } from './support/pki.js';
import { tempDir } from './support/temp-dir.js';
import { kafkaConnection } from '../src/commands/kafka-options.js';
import { UsageError } from '../src/errors.js';
import { describeKafkaClientConfig, loadKafkaClientConfig, PLAINTEXT_CLIENT_CONFIG, secretsOf, type KafkaClientConfig } from '../src/kafka/client-config.js';
import { parseJaasConfig } from '../src/kafka/jaas.js';
import { redactSecrets } from '../src/secrets.js';

/**
 * --kafka-config files, Java and librdkafka style: what kafkajs and the Java processor get from
 * good ones, and for bad ones a UsageError naming FILE:LINE and the fix, never the secret.
 * Certificates and keys are made at test time (support/pki.ts), in a temp dir.
 */

const SECRET = 'Sup3r-S3cret-Pw';
const KEY_PASSWORD = 'K3y-Pa55word';
const dir = tempDir('edge-ml-kafka-config-');
/** The files makeCa and issueCertificate write in dir, and two made from them. */
const pem = {
  ca: join(dir, 'ca.pem'),
  otherCa: join(dir, 'other-ca.pem'),
  server: join(dir, 'server.pem'),
  serverKey: join(dir, 'server.key'),
  client: join(dir, 'client.pem'),
  clientKey: join(dir, 'client.key'),
  clientKeyEncrypted: join(dir, 'client-encrypted.key'),
  /** The client's key and certificate in one file, as a PEM keystore. */
  clientKeystore: join(dir, 'client-keystore.pem'),
};

before(async () => {
  const ca = await makeCa(dir, 'ca');
  await makeCa(dir, 'other-ca');
  // DNS:localhost only: 127.0.0.1 is a host name the server's certificate does not hold.
  await issueCertificate(ca, dir, 'server', { altNames: 'DNS:localhost', usage: 'server' });
  const client = await issueCertificate(ca, dir, 'client', { altNames: 'DNS:localhost', usage: 'client' });
  // PKCS#8, encrypted with PBES2 and AES-256-CBC: -----BEGIN ENCRYPTED PRIVATE KEY-----
  writeFileSync(pem.clientKeyEncrypted, createPrivateKey(client.key).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASSWORD }));
  writeFileSync(pem.clientKeystore, client.key + client.cert);
});

let files = 0;
/** Writes the lines as a properties file and returns its path. */
function write(lines: readonly string[]): string {
  const file = join(dir, `client-${++files}.properties`);
  writeFileSync(file, lines.join('\n'));
  return file;
}

function load(lines: readonly string[], env: NodeJS.ProcessEnv = {}): KafkaClientConfig {
  return loadKafkaClientConfig(write(lines), env);
}

/** The UsageError (exit 2) loading these lines throws; it never holds a secret. */
function usageError(lines: readonly string[], env: NodeJS.ProcessEnv = {}): { error: UsageError; file: string } {
  const file = write(lines);
  let error: unknown;
  try {
    loadKafkaClientConfig(file, env);
  } catch (err) {
    error = err;
  }
  assert.ok(error instanceof UsageError, `a UsageError, got ${String(error)}`);
  assert.equal(error.exitCode, 2);
  for (const secret of [SECRET, KEY_PASSWORD]) assert.ok(!`${error.message} ${error.hint}`.includes(secret), `no secret in: ${error.message} / ${error.hint}`);
  return { error, file };
}

/** Asserts the message starts FILE:LINE: and that message and hint say each of `says`. */
function assertError(lines: readonly string[], line: number | undefined, says: readonly (string | RegExp)[], env: NodeJS.ProcessEnv = {}): void {
  const { error, file } = usageError(lines, env);
  assert.ok(error.message.startsWith(line === undefined ? `${file}: ` : `${file}:${line}: `), `names ${file}:${line}: ${error.message}`);
  const text = `${error.message}\n${error.hint}`;
  for (const s of says) {
    if (typeof s === 'string') assert.ok(text.includes(s), `says '${s}':\n${text}`);
    else assert.match(text, s);
  }
}

const PLAIN_JAAS = (user: string, password: string, q = '"'): string => `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=${q}${user}${q} password=${q}${password}${q};`;

describe('properties syntax', () => {
  test('key=value, key: value, # and ! comments, blank lines, continuation, = in values, escapes, CRLF; the last one wins', () => {
    const config = load([
      '# a comment',
      '! another comment',
      '',
      '   acks: all',
      'client.id=a=b=c',
      'linger.ms = 5',
      'client.id=edge-ml=1',
      'retries=\\',
      '    3\r',
      'compression.type=\\u007a\\std',
    ]);
    assert.deepEqual(config.javaProperties, { acks: 'all', 'client.id': 'edge-ml=1', 'linger.ms': '5', retries: '3', 'compression.type': 'zstd' });
    assert.equal(config.ssl, undefined);
    assert.equal(config.sasl, undefined);
  });

  test('${VAR} is expanded from the environment, anywhere in a value', () => {
    const config = load(['bootstrap.servers=${HOST}:9092', 'client.id=edge-ml-${USER_NAME}-x'], { HOST: 'kafka-1', USER_NAME: 'ann' });
    assert.equal(config.bootstrap, 'kafka-1:9092');
    assert.equal(config.javaProperties['client.id'], 'edge-ml-ann-x');
    assert.equal(config.javaProperties['bootstrap.servers'], undefined, 'the caller sets bootstrap.servers');
  });
});

describe('Java style', () => {
  test('a Confluent Cloud client file (placeholders from the environment): SASL_SSL PLAIN on the system CAs; the rest passed to Java untouched', () => {
    const config = load(
      [
        '# Required connection configs for Kafka producer, consumer, and admin',
        'bootstrap.servers=pkc-xxxxx.eu-west-1.aws.confluent.cloud:9092',
        'security.protocol=SASL_SSL',
        'sasl.mechanism=PLAIN',
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='${CLUSTER_API_KEY}' password='${CLUSTER_API_SECRET}';",
        '',
        'client.dns.lookup=use_all_dns_ips',
        'session.timeout.ms=45000',
        'acks=all',
        'schema.registry.url=https://psrc-xxxxx.eu-central-1.aws.confluent.cloud',
        'basic.auth.credentials.source=USER_INFO',
        'basic.auth.user.info=${SR_API_KEY}:${SR_API_SECRET}',
      ],
      { CLUSTER_API_KEY: 'ABCDEFGHIJKLMNOP', CLUSTER_API_SECRET: SECRET, SR_API_KEY: 'SRKEY', SR_API_SECRET: 'sr-secret' },
    );
    assert.equal(config.bootstrap, 'pkc-xxxxx.eu-west-1.aws.confluent.cloud:9092');
    assert.deepEqual(config.ssl, {}, 'TLS with the system CAs');
    assert.deepEqual(config.sasl, { mechanism: 'plain', username: 'ABCDEFGHIJKLMNOP', password: SECRET });
    assert.deepEqual(config.javaProperties, {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username='ABCDEFGHIJKLMNOP' password='${SECRET}';`,
      'client.dns.lookup': 'use_all_dns_ips',
      'session.timeout.ms': '45000',
      acks: 'all',
      'schema.registry.url': 'https://psrc-xxxxx.eu-central-1.aws.confluent.cloud',
      'basic.auth.credentials.source': 'USER_INFO',
      'basic.auth.user.info': 'SRKEY:sr-secret',
    });
    assert.equal(config.warnings, undefined);
    const secrets = secretsOf(config);
    for (const s of [SECRET, 'SRKEY:sr-secret']) assert.ok(secrets.includes(s), `secretsOf holds ${s}`);
    assert.match(describeKafkaClientConfig(config), /^SASL_SSL, PLAIN as ABCDEFGHIJKLMNOP \(from .*client-\d+\.properties\)$/);
  });

  test('SCRAM-SHA-512 with double quotes, an escaped quote, a lower-case protocol, a continued jaas line', () => {
    const config = load([
      'security.protocol=sasl_plaintext',
      'sasl.mechanism=scram-sha-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
      '    username="alice" password="a\\\\"b=c;";',
    ]);
    assert.deepEqual(config.sasl, { mechanism: 'scram-sha-512', username: 'alice', password: 'a"b=c;' });
    assert.equal(config.ssl, undefined);
    assert.equal(config.javaProperties['security.protocol'], 'SASL_PLAINTEXT');
    assert.equal(config.javaProperties['sasl.mechanism'], 'SCRAM-SHA-512');
  });

  test('PlainLoginModule without sasl.mechanism means PLAIN (the Java default, GSSAPI, would fail)', () => {
    const config = load(['security.protocol=SASL_SSL', PLAIN_JAAS('u', SECRET)]);
    assert.deepEqual(config.sasl, { mechanism: 'plain', username: 'u', password: SECRET });
    assert.equal(config.javaProperties['sasl.mechanism'], 'PLAIN');
  });

  test('a PEM truststore, no host name check: CA read, checkServerIdentity accepting, Java gets an absolute path', () => {
    const config = load(['security.protocol=SSL', 'ssl.truststore.type=pem', `ssl.truststore.location=${pem.ca}`, 'ssl.endpoint.identification.algorithm=', 'ssl.truststore.password=ignored']);
    assert.equal(config.ssl?.ca, readFileSync(pem.ca, 'latin1'));
    assert.equal(config.ssl?.checkServerIdentity?.('localhost', {} as never), undefined);
    assert.deepEqual(config.javaProperties, { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': pem.ca, 'ssl.endpoint.identification.algorithm': '' });
    assert.equal(describeKafkaClientConfig(config).split(' (from')[0], 'SSL, host names not verified');
  });

  test('an inline truststore (ssl.truststore.certificates, continued lines joined) becomes PEM OpenSSL reads', () => {
    const lines = readFileSync(pem.ca, 'utf8').trim().split('\n');
    const config = load(['security.protocol=SSL', 'ssl.truststore.type=PEM', `ssl.truststore.certificates=${lines.join(' \\\n  ')}`]);
    assert.equal(config.ssl?.ca, readFileSync(pem.ca, 'utf8'));
    assert.equal(config.javaProperties['ssl.truststore.certificates'], config.ssl?.ca);
  });

  test('mutual TLS with a PEM keystore file (key and chain) and an encrypted key inline with ssl.key.password', () => {
    const fromFile = load(['security.protocol=SSL', `ssl.truststore.location=${pem.ca}`, 'ssl.keystore.type=PEM', `ssl.keystore.location=${pem.clientKeystore}`, 'ssl.keystore.password=ignored']);
    assert.equal(fromFile.ssl?.cert, readFileSync(pem.clientKeystore, 'latin1'));
    assert.equal(fromFile.ssl?.key, fromFile.ssl?.cert);
    assert.deepEqual(fromFile.javaProperties, { 'security.protocol': 'SSL', 'ssl.truststore.type': 'PEM', 'ssl.truststore.location': pem.ca, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': pem.clientKeystore });
    assert.ok(secretsOf(fromFile).some((s) => s.startsWith('-----BEGIN PRIVATE KEY-----')), 'the private key is a secret');
    assert.match(describeKafkaClientConfig(fromFile), /^SSL, client certificate/);

    const continued = (path: string): string => readFileSync(path, 'utf8').trim().split('\n').join('\\\n');
    const inline = load(['security.protocol=SSL', 'ssl.keystore.type=PEM', `ssl.keystore.certificate.chain=${continued(pem.client)}`, `ssl.keystore.key=${continued(pem.clientKeyEncrypted)}`, 'ssl.key.password=${KEY_PASSWORD}'], { KEY_PASSWORD });
    assert.equal(inline.ssl?.cert, readFileSync(pem.client, 'utf8'));
    assert.equal(inline.ssl?.key, readFileSync(pem.clientKeyEncrypted, 'utf8'));
    assert.equal(inline.ssl?.passphrase, KEY_PASSWORD);
    assert.equal(inline.javaProperties['ssl.key.password'], KEY_PASSWORD);
    assert.ok(secretsOf(inline).includes(KEY_PASSWORD));
  });
});

describe('librdkafka style', () => {
  test('a Confluent Cloud librdkafka file: sasl.mechanisms, sasl.username, sasl.password; Java gets sasl.mechanism and a jaas line', () => {
    const config = load(['bootstrap.servers=pkc-xxxxx.eu-west-1.aws.confluent.cloud:9092', 'security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=${KEY}', 'sasl.password=${SECRET}', 'session.timeout.ms=45000', 'api.version.request=true', 'broker.version.fallback=0.10.0.0'], { KEY: 'APIKEY', SECRET });
    assert.deepEqual(config.sasl, { mechanism: 'plain', username: 'APIKEY', password: SECRET });
    assert.deepEqual(config.ssl, {});
    assert.deepEqual(config.javaProperties, {
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="APIKEY" password="${SECRET}";`,
      'session.timeout.ms': '45000',
    });
  });

  test('SCRAM-SHA-256 with quotes and backslashes in the password: the jaas line built for Java reads back the same', () => {
    const password = 'p"a\\s\'s;';
    const config = load(['security.protocol=SASL_SSL', 'sasl.mechanisms=SCRAM-SHA-256', 'sasl.username=bob', `sasl.password=${password.replace(/\\/g, '\\\\')}`]);
    assert.deepEqual(config.sasl, { mechanism: 'scram-sha-256', username: 'bob', password });
    const jaas = config.javaProperties['sasl.jaas.config']!;
    assert.ok(jaas.startsWith('org.apache.kafka.common.security.scram.ScramLoginModule required '));
    assert.deepEqual(parseJaasConfig(jaas), { loginModule: 'org.apache.kafka.common.security.scram.ScramLoginModule', options: { username: 'bob', password } });
  });

  test('CA, client certificate and encrypted key files: kafkajs reads the files, Java gets a PEM truststore and the keystore inline', () => {
    const config = load(['security.protocol=SSL', `ssl.ca.location=${pem.ca}`, `ssl.certificate.location=${pem.client}`, `ssl.key.location=${pem.clientKeyEncrypted}`, `ssl.key.password=${KEY_PASSWORD}`, 'ssl.endpoint.identification.algorithm=none']);
    assert.equal(config.ssl?.ca, readFileSync(pem.ca, 'latin1'));
    assert.equal(config.ssl?.cert, readFileSync(pem.client, 'utf8'));
    assert.equal(config.ssl?.key, readFileSync(pem.clientKeyEncrypted, 'utf8'));
    assert.equal(config.ssl?.passphrase, KEY_PASSWORD);
    assert.deepEqual(config.javaProperties, {
      'security.protocol': 'SSL',
      'ssl.endpoint.identification.algorithm': '',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': pem.ca,
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': config.ssl?.cert,
      'ssl.keystore.key': config.ssl?.key,
      'ssl.key.password': KEY_PASSWORD,
    });
  });

  test('enable.ssl.certificate.verification=false: kafkajs skips the check, and a warning says the Java processor cannot', () => {
    const config = load(['security.protocol=SSL', 'enable.ssl.certificate.verification=false']);
    assert.equal(config.ssl?.rejectUnauthorized, false);
    assert.equal(config.javaProperties['enable.ssl.certificate.verification'], undefined);
    assert.match(config.warnings?.join('\n') ?? '', /Java processor cannot/);
    assert.match(describeKafkaClientConfig(config), /certificates not verified/);
  });
});

describe('bad input: a UsageError naming FILE:LINE and the fix, never a secret', () => {
  test('an unreadable file', () => {
    const missing = join(dir, 'no-such.properties');
    assert.throws(() => loadKafkaClientConfig(missing, {}), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && err.message.startsWith(`${missing}: cannot read`) && /ENOENT/.test(err.message));
  });

  test('a line without = or : (not echoed: it may be a password)', () => {
    assertError(['security.protocol=SASL_SSL', '', `sasl.password ${SECRET}`], 3, ['not a key=value line', 'key=value']);
  });

  test('an unset ${VAR}', () => {
    assertError(['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.username=u', 'sasl.password=${KAFKA_PASSWORD}'], 4, ['${KAFKA_PASSWORD} is not set', 'export KAFKA_PASSWORD=']);
  });

  test('an unknown security.protocol', () => {
    assertError(['bootstrap.servers=k:9092', 'security.protocol=TLS'], 2, ["unknown security.protocol 'TLS'", 'PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL']);
  });

  for (const mechanism of ['GSSAPI', 'OAUTHBEARER']) {
    test(`an unsupported mechanism: ${mechanism}`, () => {
      assertError(['security.protocol=SASL_SSL', `sasl.mechanism=${mechanism}`, PLAIN_JAAS('u', SECRET)], 2, [`sasl.mechanism ${mechanism} is not supported`, 'PLAIN, SCRAM-SHA-256, SCRAM-SHA-512']);
    });
  }

  test('no sasl.mechanism with a SCRAM login (the default would be GSSAPI)', () => {
    assertError(['security.protocol=SASL_SSL', `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${SECRET}";`], 1, ['sasl.mechanism is not set', 'SCRAM-SHA-512']);
  });

  test('a mechanism that does not match the login module', () => {
    assertError(['security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-256', PLAIN_JAAS('u', SECRET)], 3, ['needs ScramLoginModule']);
  });

  test('a jaas config with an unknown login module, without a password, unterminated', () => {
    assertError(['security.protocol=SASL_SSL', 'sasl.mechanism=OAUTHBEARER'], 2, ['OAUTHBEARER is not supported']);
    assertError(['security.protocol=SASL_SSL', 'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;'], 2, ['login module org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule is not supported', 'PlainLoginModule']);
    assertError(['security.protocol=SASL_SSL', 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u";'], 2, ['sasl.jaas.config has no password', 'password="SECRET"']);
    assertError(['security.protocol=SASL_SSL', `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="${SECRET};`], 2, ['unterminated quoted value']);
    assertError(['security.protocol=SASL_SSL', `sasl.jaas.config=username="u" password="${SECRET}"`], 2, ['does not start with a login module']);
  });

  test('a SASL protocol without credentials, and credentials without a SASL protocol', () => {
    assertError(['bootstrap.servers=k:9092', 'security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN'], 2, ['SASL needs credentials', 'sasl.username and sasl.password']);
    assertError(['sasl.mechanism=PLAIN', PLAIN_JAAS('u', SECRET)], 2, ['security.protocol is PLAINTEXT (the default), which sends no credentials', 'security.protocol=SASL_SSL']);
    assertError(['security.protocol=PLAINTEXT', `ssl.ca.location=${pem.ca}`], 2, ['does not use TLS', 'security.protocol=SSL']);
  });

  test('an empty password: librdkafka style, jaas, from an empty variable, ssl.key.password', () => {
    assertError(['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u', 'sasl.password='], 4, ['sasl.password is empty']);
    assertError(['security.protocol=SASL_SSL', PLAIN_JAAS('u', '${EMPTY}', "'")], 2, ['empty password'], { EMPTY: '' });
    assertError(['security.protocol=SASL_SSL', 'sasl.mechanisms=PLAIN', 'sasl.username=u'], 3, ['sasl.password is missing']);
    assertError(['security.protocol=SSL', `ssl.keystore.location=${pem.clientKeystore}`, 'ssl.key.password='], 3, ['ssl.key.password is empty']);
  });

  test('jaas and librdkafka credentials that disagree', () => {
    assertError(['security.protocol=SASL_SSL', PLAIN_JAAS('u', SECRET), 'sasl.username=v', `sasl.password=${SECRET}`], 3, ['give different credentials']);
  });

  test('a bad bootstrap.servers', () => {
    assertError(['# cluster', 'bootstrap.servers=kafka-1:9092,kafka-2'], 2, ["got 'kafka-2'", 'host:port']);
    assertError(['bootstrap.servers=kafka-1:0'], 1, ["got 'kafka-1:0'"]);
  });

  test('a JKS or PKCS12 truststore or keystore: the keytool and openssl commands that export PEM', () => {
    const jks = join(dir, 'truststore.jks');
    writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1]));
    const exportCa = `keytool -exportcert -rfc -alias <alias> -keystore ${jks} -file ca.pem`;
    assertError(['security.protocol=SSL', 'ssl.truststore.type=JKS', `ssl.truststore.location=${jks}`, 'ssl.truststore.password=changeit'], 2, ['the truststore is JKS; edge-ml reads PEM only', exportCa, 'ssl.truststore.type=PEM', 'ssl.truststore.location=ca.pem']);
    // Java's default type is JKS: a binary file without a type is recognised as such.
    assertError(['security.protocol=SSL', `ssl.truststore.location=${jks}`], 2, ['a binary file, probably JKS or PKCS12', exportCa]);
    assertError(['security.protocol=SSL', `ssl.ca.location=${jks}`], 2, ['ssl.ca.location', exportCa]);
    assertError(['security.protocol=SSL', 'ssl.keystore.type=PKCS12', 'ssl.keystore.location=client.p12', `ssl.keystore.password=${SECRET}`], 2, ['the keystore is PKCS12', 'openssl pkcs12 -in client.p12 -nodes -out client.pem', 'ssl.keystore.type=PEM']);
    assertError(['security.protocol=SSL', 'ssl.truststore.type=BCFKS'], 2, ["unknown ssl.truststore.type 'BCFKS'", 'ssl.truststore.type=PEM']);
  });

  test('a missing truststore, certificate or key file; a file without the PEM block it needs', () => {
    const missing = join(dir, 'missing.pem');
    assertError(['security.protocol=SSL', `ssl.truststore.location=${missing}`], 2, [`ssl.truststore.location: no file at ${missing}`]);
    assertError(['security.protocol=SSL', `ssl.certificate.location=${pem.client}`, `ssl.key.location=${missing}`], 3, [`ssl.key.location: no file at ${missing}`]);
    assertError(['security.protocol=SSL', `ssl.certificate.location=${pem.client}`], 2, ['ssl.key.location is not']);
    assertError(['security.protocol=SSL', `ssl.key.location=${pem.clientKey}`], 2, ['ssl.key.location is set without its certificate']);
    assertError(['security.protocol=SSL', `ssl.ca.location=${pem.clientKey}`], 2, ['holds no PEM CERTIFICATE']);
    assertError(['security.protocol=SSL', `ssl.keystore.location=${pem.client}`], 2, ['holds no PEM PRIVATE KEY']);
  });

  test('a key that does not load: encrypted without ssl.key.password, a wrong one, or not the certificate\'s key', () => {
    assertError(['security.protocol=SSL', `ssl.certificate.location=${pem.client}`, `ssl.key.location=${pem.clientKeyEncrypted}`], 2, ['private key is encrypted and ssl.key.password is not set']);
    assertError(['security.protocol=SSL', `ssl.certificate.location=${pem.client}`, `ssl.key.location=${pem.clientKeyEncrypted}`, `ssl.key.password=${SECRET}`], undefined, ['the TLS settings do not load', 'ssl.key.password']);
    assertError(['security.protocol=SSL', `ssl.certificate.location=${pem.client}`, `ssl.key.location=${pem.serverKey}`], undefined, ['the TLS settings do not load', 'the key belongs to the certificate']);
  });

  test('two keys for the same thing', () => {
    assertError(['security.protocol=SSL', `ssl.truststore.location=${pem.ca}`, `ssl.ca.location=${pem.ca}`], 3, ['ssl.truststore.location and ssl.ca.location are both set']);
    assertError(['security.protocol=SASL_SSL', 'sasl.mechanism=PLAIN', 'sasl.mechanisms=PLAIN', PLAIN_JAAS('u', SECRET)], 3, ['sasl.mechanism and sasl.mechanisms are both set']);
  });
});

test('the secrets a file held come out as *** in any text the CLI prints', () => {
  load(['security.protocol=SASL_SSL', 'sasl.mechanisms=SCRAM-SHA-512', 'sasl.username=u', `sasl.password=${SECRET}`]);
  assert.equal(redactSecrets(`SASL SCRAM authentication failed for u with ${SECRET}.`), 'SASL SCRAM authentication failed for u with ***.');
});

describe('real TLS: the options from a file verify the server and present the client certificate', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer({ cert: readFileSync(pem.server), key: readFileSync(pem.serverKey), ca: readFileSync(pem.ca), requestCert: true, rejectUnauthorized: true }, (socket) => socket.end('hello\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Connects as kafkajs does (tls.connect with the ssl options, servername = host) and reads the greeting. */
  function greeting(ssl: ConnectionOptions, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ ...ssl, host, port, ...(host === 'localhost' ? { servername: host } : {}) });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
  }

  const mutual = (ca: string, extra: string[] = []): string[] => ['security.protocol=SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${ca}`, 'ssl.keystore.type=PEM', `ssl.keystore.location=${pem.clientKeystore}`, ...extra];

  test('the right CA and the client certificate: connected', async () => {
    assert.equal(await greeting(load(mutual(pem.ca)).ssl!, 'localhost'), 'hello\n');
  });

  test('the same with librdkafka names and an encrypted key', async () => {
    const config = load(['security.protocol=SSL', `ssl.ca.location=${pem.ca}`, `ssl.certificate.location=${pem.client}`, `ssl.key.location=${pem.clientKeyEncrypted}`, `ssl.key.password=${KEY_PASSWORD}`]);
    assert.equal(await greeting(config.ssl!, 'localhost'), 'hello\n');
  });

  test('a wrong CA: refused', async () => {
    await assert.rejects(greeting(load(mutual(pem.otherCa)).ssl!, 'localhost'), (err: NodeJS.ErrnoException) => ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'].includes(err.code ?? ''));
  });

  test('a host name not in the certificate: refused, unless ssl.endpoint.identification.algorithm is empty', async () => {
    await assert.rejects(greeting(load(mutual(pem.ca)).ssl!, '127.0.0.1'), (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(await greeting(load(mutual(pem.ca, ['ssl.endpoint.identification.algorithm='])).ssl!, '127.0.0.1'), 'hello\n');
  });
});

describe('kafkaConnection: what --bootstrap-server, --kafka-config and --command-config give a command', () => {
  test('the flag\'s bootstrap wins over the file\'s; the file\'s is used without one; no file is plaintext', () => {
    const file = write(['bootstrap.servers=from-file:9092', 'security.protocol=SSL']);
    assert.equal(kafkaConnection({ kafkaConfig: file }, {}).bootstrap, 'from-file:9092');
    assert.deepEqual(kafkaConnection({ commandConfig: file }, {}).config.ssl, {});
    assert.equal(kafkaConnection({ kafkaConfig: file, bootstrapServer: 'from-flag:9092' }, {}).bootstrap, 'from-flag:9092');
    assert.equal(kafkaConnection({ kafkaConfig: file, commandConfig: file }, {}).config.file, file);
    assert.deepEqual(kafkaConnection({}, {}), { bootstrap: undefined, config: PLAINTEXT_CLIENT_CONFIG });
  });

  test('--kafka-config and --command-config naming different files: a UsageError naming both', () => {
    assert.throws(() => kafkaConnection({ kafkaConfig: 'a.properties', commandConfig: 'b.properties' }, {}), (err: unknown) => err instanceof UsageError && /--kafka-config a\.properties and --command-config b\.properties name different files/.test(err.message));
  });
});
