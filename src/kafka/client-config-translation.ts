import { resolve } from 'node:path';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { UsageError, errorMessage } from '../errors.js';
import type { KafkaClientConfig } from './client-config.js';
import { buildJaasConfig, parseJaasConfig, PLAIN_LOGIN_MODULE, SCRAM_LOGIN_MODULE } from './jaas.js';
import { bootstrapProblem } from './kafka-client.js';
import type { Properties, Property } from './properties-file.js';
import { keystoreFormatError, normalizePem, readPem, type Setting } from './tls-material.js';

/**
 * A client properties file's settings, Java or librdkafka names, turned into kafkajs options and
 * the Java clients' properties, or a UsageError naming FILE:LINE and the fix.
 */
export function translateClientConfig(file: string, properties: Properties, baseDir: string): KafkaClientConfig {
  return new Translation(file, properties, baseDir).run();
}

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
type SecurityProtocol = (typeof PROTOCOLS)[number];

const MECHANISMS = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;
type Mechanism = keyof typeof MECHANISMS;

/** Keys this module translates: the Java output gets them rewritten (or dropped), not copied. */
const TRANSLATED = new Set([
  'bootstrap.servers',
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.endpoint.identification.algorithm',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.certificates',
  // Java refuses a store password with PEM stores, and PEM is all edge-ml takes.
  'ssl.truststore.password',
  'ssl.keystore.password',
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.key',
  'ssl.key.password',
  // librdkafka's names, translated to the Java ones above.
  'sasl.mechanisms',
  'sasl.username',
  'sasl.password',
  'ssl.ca.location',
  'ssl.certificate.location',
  'ssl.key.location',
  'enable.ssl.certificate.verification',
  // librdkafka only, meaningless to Java clients (Confluent's older librdkafka examples carry them).
  'api.version.request',
  'api.version.fallback.ms',
  'broker.version.fallback',
  'socket.keepalive.enable',
  'debug',
]);

/** One file's properties turned into kafkajs options and Java properties, or a UsageError. */
class Translation {
  private readonly java: Record<string, string> = {};
  private readonly warnings: string[] = [];

  constructor(
    private readonly file: string,
    private readonly properties: Properties,
    /** Relative paths in the file are taken from here. */
    private readonly baseDir: string,
  ) {}

  run(): KafkaClientConfig {
    const bootstrap = this.bootstrap();
    const protocol = this.protocol();
    if (protocol !== 'PLAINTEXT') this.java['security.protocol'] = protocol;
    this.unused(protocol);
    const sasl = protocol.startsWith('SASL_') ? this.sasl() : undefined;
    const ssl = protocol.endsWith('SSL') ? this.ssl() : undefined;
    for (const [key, { value }] of this.properties) if (!TRANSLATED.has(key)) this.java[key] = value;
    return { file: this.file, bootstrap, ssl, sasl, javaProperties: this.java, ...(this.warnings.length > 0 ? { warnings: this.warnings } : {}) };
  }

  private bootstrap(): string | undefined {
    const p = this.get('bootstrap.servers');
    if (!p) return undefined;
    const problem = bootstrapProblem(p.value.trim());
    if (problem) throw this.error('bootstrap.servers', problem, 'write bootstrap.servers=host:port[,host:port...], e.g. the Confluent Cloud cluster\'s bootstrap server');
    return p.value.trim();
  }

  private protocol(): SecurityProtocol {
    const p = this.get('security.protocol');
    if (!p) return 'PLAINTEXT';
    const protocol = p.value.trim().toUpperCase();
    if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
      throw this.error('security.protocol', `unknown security.protocol '${p.value.trim()}'`, `use one of ${PROTOCOLS.join(', ')} (Confluent Cloud: SASL_SSL)`);
    }
    return protocol as SecurityProtocol;
  }

  /**
   * Credentials without a SASL protocol are never sent, certificates without an SSL one never used:
   * the connection would then fail far from the cause.
   */
  private unused(protocol: SecurityProtocol): void {
    const sasl = protocol.startsWith('SASL_') ? [] : ['sasl.jaas.config', 'sasl.username', 'sasl.password'];
    const tls = protocol.endsWith('SSL') ? [] : ['ssl.truststore.location', 'ssl.truststore.certificates', 'ssl.ca.location', 'ssl.keystore.location', 'ssl.keystore.certificate.chain', 'ssl.certificate.location'];
    const key = [...sasl, ...tls].find((k) => this.properties.has(k));
    if (key === undefined) return;
    const uses = sasl.includes(key) ? 'sends no credentials' : 'does not use TLS';
    const fix = sasl.includes(key) ? 'set security.protocol=SASL_SSL (or SASL_PLAINTEXT for a cluster without TLS)' : `set security.protocol=${protocol === 'SASL_PLAINTEXT' ? 'SASL_SSL' : 'SSL'}`;
    throw this.error(key, `${key} is set but security.protocol is ${protocol}${this.properties.has('security.protocol') ? '' : ' (the default)'}, which ${uses}`, fix);
  }

  private sasl(): SASLOptions {
    const declared = this.declaredMechanism();
    const credentials = this.credentials();
    const mechanism = declared ?? this.impliedMechanism(credentials.loginModule);
    const expectedModule = mechanism === 'PLAIN' ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
    if (credentials.loginModule !== undefined && credentials.loginModule !== expectedModule) {
      throw this.error('sasl.jaas.config', `sasl.mechanism ${mechanism} needs ${expectedModule.split('.').at(-1)} in sasl.jaas.config`, `use ${expectedModule} required username="..." password="...";`);
    }
    this.java['sasl.mechanism'] = mechanism;
    this.java['sasl.jaas.config'] = this.get('sasl.jaas.config')?.value ?? buildJaasConfig(expectedModule, credentials.username, credentials.password);
    return { mechanism: MECHANISMS[mechanism], username: credentials.username, password: credentials.password };
  }

  private declaredMechanism(): Mechanism | undefined {
    const key = this.oneOf('sasl.mechanism', 'sasl.mechanisms');
    if (key === undefined) return undefined;
    const mechanism = this.get(key)!.value.trim().toUpperCase();
    if (!(mechanism in MECHANISMS)) {
      throw this.error(key, `${key} ${mechanism || '(empty)'} is not supported`, `edge-ml speaks ${Object.keys(MECHANISMS).join(', ')}; GSSAPI (Kerberos) and OAUTHBEARER are not supported`);
    }
    return mechanism as Mechanism;
  }

  /** Kafka clients default to GSSAPI, which is never what a PlainLoginModule line means; SCRAM has two. */
  private impliedMechanism(loginModule: string | undefined): Mechanism {
    if (loginModule === PLAIN_LOGIN_MODULE) return 'PLAIN';
    throw this.error('security.protocol', 'sasl.mechanism is not set, and the Kafka clients\' default GSSAPI (Kerberos) is not supported', `set sasl.mechanism to one of ${Object.keys(MECHANISMS).join(', ')}`);
  }

  /** From sasl.jaas.config (Java) or sasl.username + sasl.password (librdkafka); both only if they agree. */
  private credentials(): { username: string; password: string; loginModule?: string } {
    const jaas = this.get('sasl.jaas.config');
    const fromJaas = jaas ? this.jaasCredentials(jaas) : undefined;
    const username = this.get('sasl.username');
    const password = this.get('sasl.password');
    if (!fromJaas && !username && !password) {
      throw this.error('security.protocol', 'SASL needs credentials and the file has none', 'add sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY" password="SECRET"; (Java style) or sasl.username and sasl.password (librdkafka style)');
    }
    if (username || password) {
      const missing = username ? 'sasl.password' : 'sasl.username';
      if (!username || !password) throw this.error(username ? 'sasl.username' : 'sasl.password', `${missing} is missing`, `set both sasl.username and sasl.password`);
      if (username.value === '') throw this.error('sasl.username', 'sasl.username is empty', 'set the user name (Confluent Cloud: the API key)');
      if (password.value === '') throw this.error('sasl.password', 'sasl.password is empty', 'set the password (Confluent Cloud: the API secret), or ${VAR} to take it from the environment');
      if (fromJaas && (fromJaas.username !== username.value || fromJaas.password !== password.value)) {
        throw this.error('sasl.username', 'sasl.username/sasl.password and sasl.jaas.config give different credentials', 'keep one of them: sasl.jaas.config (Java style) or sasl.username and sasl.password (librdkafka style)');
      }
    }
    return fromJaas ?? { username: username!.value, password: password!.value };
  }

  private jaasCredentials(jaas: Property): { username: string; password: string; loginModule: string } {
    const template = `write sasl.jaas.config=${PLAIN_LOGIN_MODULE} required username="KEY" password="SECRET"; (or ${SCRAM_LOGIN_MODULE} for SCRAM)`;
    const login = parseJaasConfig(jaas.value);
    if ('problem' in login) throw this.error('sasl.jaas.config', `sasl.jaas.config ${login.problem}`, template);
    if (login.loginModule !== PLAIN_LOGIN_MODULE && login.loginModule !== SCRAM_LOGIN_MODULE) {
      throw this.error('sasl.jaas.config', `sasl.jaas.config: login module ${login.loginModule} is not supported`, `use PlainLoginModule or ScramLoginModule: ${template}`);
    }
    const { username, password } = login.options;
    if (username === undefined || password === undefined) throw this.error('sasl.jaas.config', `sasl.jaas.config has no ${username === undefined ? 'username' : 'password'}`, template);
    if (username === '') throw this.error('sasl.jaas.config', 'sasl.jaas.config has an empty username', template);
    if (password === '') throw this.error('sasl.jaas.config', 'sasl.jaas.config has an empty password', `${template}; password="\${VAR}" takes it from the environment`);
    return { username, password, loginModule: login.loginModule };
  }

  private ssl(): ConnectionOptions {
    const ssl: ConnectionOptions = {};
    this.verification(ssl);
    this.truststore(ssl);
    this.keystore(ssl);
    // Loading them now turns a key that does not match its certificate, or a wrong ssl.key.password,
    // into a usage error here instead of a TLS failure at the first connection.
    try {
      createSecureContext(ssl);
    } catch (err) {
      throw new UsageError(`${this.file}: the TLS settings do not load: ${errorMessage(err)}`, 'check that the key belongs to the certificate, that ssl.key.password is the key\'s, and that the files are PEM');
    }
    return ssl;
  }

  private verification(ssl: ConnectionOptions): void {
    const verify = this.get('enable.ssl.certificate.verification');
    if (verify) {
      const value = verify.value.trim().toLowerCase();
      if (value !== 'true' && value !== 'false') throw this.error('enable.ssl.certificate.verification', `enable.ssl.certificate.verification must be true or false, got '${verify.value}'`, 'leave it out: certificates are verified by default');
      if (value === 'false') {
        ssl.rejectUnauthorized = false;
        this.warnings.push('enable.ssl.certificate.verification=false: edge-ml\'s Node clients skip certificate checks, the Java processor cannot; give ssl.ca.location (the brokers\' CA) instead');
      }
    }
    const identification = this.get('ssl.endpoint.identification.algorithm');
    if (identification) {
      const value = identification.value.trim().toLowerCase();
      if (!['', 'none', 'https'].includes(value)) throw this.error('ssl.endpoint.identification.algorithm', `ssl.endpoint.identification.algorithm must be https or empty, got '${identification.value}'`, 'https checks the broker\'s host name against its certificate; empty skips that check');
      // An empty value (Java) or none (librdkafka): the certificate is checked, its host name is not.
      if (value !== 'https') ssl.checkServerIdentity = () => undefined;
      this.java['ssl.endpoint.identification.algorithm'] = value === 'https' ? 'https' : '';
    }
  }

  /** The CA certificates the brokers' certificates must chain to; without any, the system's (Confluent Cloud's are public). */
  private truststore(ssl: ConnectionOptions): void {
    this.pemType('ssl.truststore.type', 'truststore', 'ssl.truststore.location');
    const key = this.oneOf('ssl.truststore.location', 'ssl.ca.location', 'ssl.truststore.certificates');
    if (key === undefined) return;
    const value = this.get(key)!.value.trim();
    if (key === 'ssl.ca.location' && value === 'probe') return; // librdkafka's word for the system's
    this.java['ssl.truststore.type'] = 'PEM';
    if (key === 'ssl.truststore.certificates') {
      ssl.ca = this.inlinePem(key, value, 'CERTIFICATE');
      this.java[key] = ssl.ca;
    } else {
      const path = resolve(this.baseDir, value);
      ssl.ca = readPem(path, this.setting(key), 'truststore', ['CERTIFICATE']);
      this.java['ssl.truststore.location'] = path;
    }
  }

  /** The client certificate and key of mutual TLS: one PEM keystore file, both inline, or two files (librdkafka). */
  private keystore(ssl: ConnectionOptions): void {
    this.pemType('ssl.keystore.type', 'keystore', 'ssl.keystore.location');
    const key = this.oneOf('ssl.keystore.location', 'ssl.keystore.certificate.chain', 'ssl.certificate.location');
    const keyPassword = this.get('ssl.key.password');
    if (key === undefined) {
      const orphan = ['ssl.keystore.key', 'ssl.key.location'].find((k) => this.properties.has(k));
      if (orphan) throw this.error(orphan, `${orphan} is set without its certificate`, orphan === 'ssl.key.location' ? 'set ssl.certificate.location too' : 'set ssl.keystore.certificate.chain too');
      return;
    }
    this.java['ssl.keystore.type'] = 'PEM';
    if (key === 'ssl.keystore.location') {
      const path = resolve(this.baseDir, this.get(key)!.value.trim());
      ssl.cert = ssl.key = readPem(path, this.setting(key), 'keystore', ['CERTIFICATE', 'PRIVATE KEY']);
      this.java[key] = path;
    } else {
      const keyKey = key === 'ssl.certificate.location' ? 'ssl.key.location' : 'ssl.keystore.key';
      const keyProperty = this.get(keyKey);
      if (!keyProperty) throw this.error(key, `${key} is set but ${keyKey} is not`, `set ${keyKey} to the client's private key`);
      if (key === 'ssl.certificate.location') {
        ssl.cert = normalizePem(readPem(resolve(this.baseDir, this.get(key)!.value.trim()), this.setting(key), 'keystore', ['CERTIFICATE']));
        ssl.key = normalizePem(readPem(resolve(this.baseDir, keyProperty.value.trim()), this.setting(keyKey), 'keystore', ['PRIVATE KEY']));
      } else {
        ssl.cert = this.inlinePem(key, this.get(key)!.value, 'CERTIFICATE');
        ssl.key = this.inlinePem(keyKey, keyProperty.value, 'PRIVATE KEY');
      }
      // Java takes a separate certificate and key only inline.
      this.java['ssl.keystore.certificate.chain'] = ssl.cert;
      this.java['ssl.keystore.key'] = ssl.key;
    }
    if (/-----BEGIN (RSA|EC|DSA) PRIVATE KEY-----/.test(String(ssl.key))) {
      this.warnings.push('the client key is not PKCS#8, which the Java processor needs: convert it with openssl pkcs8 -topk8 -in key.pem -out key-pkcs8.pem (add -nocrypt for a key without a password)');
    }
    if (!keyPassword && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(String(ssl.key))) {
      throw this.error(key, 'the client\'s private key is encrypted and ssl.key.password is not set', 'set ssl.key.password (${VAR} takes it from the environment)');
    }
    if (keyPassword) {
      if (keyPassword.value === '') throw this.error('ssl.key.password', 'ssl.key.password is empty', 'leave it out for a key without a password, or set the key\'s password (${VAR} takes it from the environment)');
      ssl.passphrase = keyPassword.value;
      this.java['ssl.key.password'] = keyPassword.value;
    }
  }

  /** Only PEM stores: a JKS or PKCS12 one is refused with the commands that export PEM. */
  private pemType(typeKey: string, role: 'truststore' | 'keystore', locationKey: string): void {
    const type = this.get(typeKey);
    if (!type) return;
    const value = type.value.trim().toUpperCase();
    if (value === 'PEM') return;
    if (value === 'JKS' || value === 'PKCS12') throw keystoreFormatError(this.setting(typeKey), role, this.get(locationKey)?.value.trim() ?? '', value);
    throw this.error(typeKey, `unknown ${typeKey} '${type.value.trim()}'`, `edge-ml reads PEM only: set ${typeKey}=PEM`);
  }

  private inlinePem(key: string, value: string, block: 'CERTIFICATE' | 'PRIVATE KEY'): string {
    const pem = normalizePem(value);
    if (!new RegExp(`-----BEGIN [A-Z ]*${block}-----`).test(pem)) throw this.error(key, `${key} holds no PEM ${block}`, `write the PEM text, its lines joined with \\ at each line end`);
    return pem;
  }

  /** Which of these alternative keys the file sets, if any; more than one is ambiguous. */
  private oneOf(...keys: string[]): string | undefined {
    const set = keys.filter((k) => this.properties.has(k));
    if (set.length > 1) throw this.error(set[1]!, `${set.join(' and ')} are both set`, `keep one of ${keys.join(', ')}`);
    return set[0];
  }

  private get(key: string): Property | undefined {
    return this.properties.get(key);
  }

  private setting(key: string): Setting {
    return { key, where: `${this.file}:${this.properties.get(key)?.line ?? 1}` };
  }

  private error(key: string, message: string, hint: string): UsageError {
    const line = this.properties.get(key)?.line;
    return new UsageError(`${this.file}${line === undefined ? '' : `:${line}`}: ${message}`, hint);
  }
}
