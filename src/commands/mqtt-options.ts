/**
 * The MQTT security flags: the endpoint's (TLS, users, ACL; on up, smoke and demo) and the cars'
 * (user names, passwords, the CA; on generate, smoke and demo). Every file is checked here, before
 * anything starts, and a bad one is a usage error naming it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import { UsageError, errorMessage } from '../errors.js';
import type { CarLogin, MqttClientSettings } from '../generator/car-connection.js';
import { AclFile } from '../mqtt-auth/acl-file.js';
import { PasswordFile } from '../mqtt-auth/password-file.js';
import type { MqttSecurity } from '../runtime/types.js';
import { integerIn, pemCertificateFile } from './context.js';

export interface MqttServerFlags {
  host: string;
  mqttPort: number;
  mqttsPort: number;
  mqttTlsCert?: string;
  mqttTlsKey?: string;
  mqttPasswordFile?: string;
  mqttAclFile?: string;
  mqttAllowAnonymous: boolean;
}

export interface MqttClientFlags {
  username?: string;
  password?: string;
  credentials?: string;
  cafile?: string;
}

export function addMqttServerOptions(command: Command): Command {
  return command
    .option('--mqtts-port <port>', 'MQTTS port on the host, with --mqtt-tls-cert', integerIn(1, 65535), 8883)
    .option('--mqtt-tls-cert <file>', 'PEM certificate (chain) of the MQTT endpoint: opens an MQTTS listener')
    .option('--mqtt-tls-key <file>', 'PEM private key of --mqtt-tls-cert')
    .option('--mqtt-password-file <file>', "the MQTT endpoint's users, as mosquitto_passwd writes them")
    .option('--mqtt-acl-file <file>', "what each MQTT user may publish, in Mosquitto's acl_file format")
    .option('--mqtt-allow-anonymous', 'let MQTT clients without a user name in (needed for a non-loopback --host without --mqtt-password-file)', false);
}

export function addMqttClientOptions(command: Command, who: string): Command {
  return command
    .option('--username <name>', `MQTT user name of ${who}`)
    .option('--password <secret>', 'MQTT password of --username')
    .option('--credentials <file>', 'user:password lines, one per car: car N logs in as the Nth user and publishes to car/<user>/engine/temperature')
    .option('--cafile <file>', "PEM CA to check an MQTTS endpoint's certificate against", pemCertificateFile);
}

/**
 * The endpoint's security, its files checked. Safe by default: an endpoint other machines can reach
 * needs users, or an explicit --mqtt-allow-anonymous.
 */
export function mqttSecurityOf(flags: MqttServerFlags, endpointHere: boolean): MqttSecurity {
  const { mqttTlsCert: cert, mqttTlsKey: key } = flags;
  if (Boolean(cert) !== Boolean(key)) throw new UsageError(cert ? '--mqtt-tls-cert needs --mqtt-tls-key' : '--mqtt-tls-key needs --mqtt-tls-cert', 'give the PEM certificate and its private key');
  if (flags.mqttPort === 0 && !cert) throw new UsageError('--mqtt-port 0 turns plain MQTT off, and without --mqtt-tls-cert nothing would listen', 'add --mqtt-tls-cert and --mqtt-tls-key, or give --mqtt-port a port');
  if (cert && flags.mqttsPort === flags.mqttPort) throw new UsageError(`--mqtts-port and --mqtt-port are both ${flags.mqttPort}`, 'give MQTTS a port of its own, or --mqtt-port 0');
  if (cert && key) checkTlsFiles(cert, key);
  if (flags.mqttPasswordFile) PasswordFile.load(flags.mqttPasswordFile);
  if (flags.mqttAclFile) AclFile.load(flags.mqttAclFile);
  if (endpointHere && !isLoopback(flags.host) && !flags.mqttPasswordFile && !flags.mqttAllowAnonymous) {
    throw new UsageError(
      `--host ${flags.host} lets other machines reach the MQTT endpoint, and it has no users`,
      'add --mqtt-password-file FILE (made with mosquitto_passwd), or --mqtt-allow-anonymous to let anyone in',
    );
  }
  const absolute = (file: string | undefined): string | undefined => file && resolve(file);
  return {
    tls: cert && key ? { port: flags.mqttsPort, certFile: resolve(cert), keyFile: resolve(key) } : undefined,
    passwordFile: absolute(flags.mqttPasswordFile),
    allowAnonymous: flags.mqttAllowAnonymous,
    aclFile: absolute(flags.mqttAclFile),
  };
}

/** True when any of the endpoint's security flags is given (the docker runtime's proxy takes none). */
export function wantsMqttSecurity(security: MqttSecurity): boolean {
  return Boolean(security.tls || security.passwordFile || security.aclFile);
}

export function mqttClientOf(flags: MqttClientFlags): MqttClientSettings {
  if (flags.password !== undefined && flags.username === undefined) throw new UsageError('--password needs --username');
  if (flags.credentials && flags.username !== undefined) throw new UsageError('give --username or --credentials, not both');
  return {
    login: flags.username === undefined ? undefined : { username: flags.username, password: flags.password },
    credentials: flags.credentials ? readCredentials(flags.credentials) : undefined,
    ca: flags.cafile && readFileSync(flags.cafile, 'utf8'),
  };
}

/** The fleet's size: with --credentials, one car per user unless --cars asks for fewer. */
export function fleetSize(client: MqttClientSettings, cars: number | undefined, otherwise: number): number {
  const users = client.credentials?.length;
  if (users !== undefined && cars !== undefined && cars > users) throw new UsageError(`--cars ${cars} is more than the ${users} users of --credentials`, 'one line per car');
  return cars ?? users ?? otherwise;
}

function readCredentials(file: string): CarLogin[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --credentials ${file}: ${errorMessage(err)}`);
  }
  const logins: CarLogin[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    // The line is not quoted: it holds a password.
    if (colon < 1) throw new UsageError(`${file}:${i + 1}: not a user:password line`);
    logins.push({ username: line.slice(0, colon), password: line.slice(colon + 1) });
  });
  if (logins.length === 0) throw new UsageError(`--credentials ${file} names no user`, 'one user:password line per car');
  return logins;
}

function checkTlsFiles(certFile: string, keyFile: string): void {
  const read = (flag: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${flag} ${file}: ${errorMessage(err)}`);
    }
  };
  const certText = read('--mqtt-tls-cert', certFile);
  const keyText = read('--mqtt-tls-key', keyFile);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch {
    throw new UsageError(`--mqtt-tls-cert ${certFile} holds no PEM certificate`, 'give the certificate (chain) in PEM: -----BEGIN CERTIFICATE-----');
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyText);
  } catch {
    throw new UsageError(`--mqtt-tls-key ${keyFile} holds no unencrypted PEM private key`, 'give the key in PEM (-----BEGIN PRIVATE KEY-----), without a passphrase');
  }
  if (!cert.checkPrivateKey(key)) throw new UsageError(`--mqtt-tls-key ${keyFile} is not the key of --mqtt-tls-cert ${certFile}`, 'give the private key the certificate was issued for');
  try {
    createSecureContext({ cert: certText, key: keyText });
  } catch (err) {
    throw new UsageError(`--mqtt-tls-cert ${certFile} with --mqtt-tls-key ${keyFile} cannot serve TLS: ${errorMessage(err)}`);
  }
}

function isLoopback(host: string): boolean {
  return isIP(host) === 4 ? host.startsWith('127.') : host === '::1' || host.startsWith('::ffff:127.');
}
