import { readFileSync, statSync } from 'node:fs';
import { UsageError, errorMessage } from '../errors.js';

/**
 * PEM certificates and keys named by a client config: read, checked for what they must hold, and
 * refused with the conversion commands when they are a Java keystore (JKS, PKCS12) instead, which
 * Node cannot read and which the processor is handed as PEM like everything else.
 */

export type StoreRole = 'truststore' | 'keystore';

/** A key setting and where it was written, for messages: `FILE:LINE: KEY ...`. */
export interface Setting {
  key: string;
  where: string;
}

/** The file's text; it must hold the given PEM blocks (a binary file is taken to be a keystore). */
export function readPem(path: string, setting: Setting, role: StoreRole, needs: readonly ('CERTIFICATE' | 'PRIVATE KEY')[]): string {
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(`${setting.where}: ${setting.key}: no file at ${path}`, 'give the path of a PEM file (relative paths are taken from the directory edge-ml was started in)');
  }
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    throw new UsageError(`${setting.where}: ${setting.key}: cannot read ${path}: ${errorMessage(err)}`, 'make the file readable by this user');
  }
  if (!text.includes('-----BEGIN ')) throw keystoreFormatError(setting, role, path, 'binary');
  for (const block of needs) {
    if (!new RegExp(`-----BEGIN [A-Z ]*${block}-----`).test(text)) {
      throw new UsageError(`${setting.where}: ${setting.key}: ${path} holds no PEM ${block}`, role === 'truststore' ? 'give the PEM file of the CA certificate(s) that signed the brokers\' certificates' : 'give a PEM file with the client\'s private key and certificate chain');
    }
  }
  return text;
}

/** JKS or PKCS12 where PEM is needed: the error names the keytool/openssl commands that convert it. */
export function keystoreFormatError(setting: Setting, role: StoreRole, path: string, what: 'JKS' | 'PKCS12' | 'binary'): UsageError {
  const file = path || `${role}.${what === 'PKCS12' ? 'p12' : 'jks'}`;
  // keytool reads both JKS and PKCS12; openssl reads PKCS12 only.
  const hint =
    role === 'truststore'
      ? `export the CA certificate as PEM: keytool -list -keystore ${file} (to see the alias), then keytool -exportcert -rfc -alias <alias> -keystore ${file} -file ca.pem; ` +
        'then set ssl.truststore.type=PEM and ssl.truststore.location=ca.pem'
      : `convert the keystore to one PEM file with the key and certificate chain: ${what === 'PKCS12' ? '' : `keytool -importkeystore -srckeystore ${file} -destkeystore client.p12 -deststoretype PKCS12, then `}` +
        `openssl pkcs12 -in ${what === 'PKCS12' ? file : 'client.p12'} -nodes -out client.pem; then set ssl.keystore.type=PEM and ssl.keystore.location=client.pem`;
  const is = what === 'binary' ? 'a binary file, probably JKS or PKCS12' : what;
  return new UsageError(`${setting.where}: ${setting.key}: the ${role} is ${is}; edge-ml reads PEM only`, hint);
}

/**
 * PEM text as OpenSSL wants it. Written inline in a properties file, continuation lines are joined
 * without line breaks (`-----BEGIN CERTIFICATE----- MIIB...`), which Java accepts and OpenSSL does not.
 */
export function normalizePem(text: string): string {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  return blocks.map(([, label, body]) => `-----BEGIN ${label}-----\n${body!.replace(/\s+/g, '').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`).join('');
}
