/**
 * CAs and certificates for the TLS tests, made with openssl at test time: no key is ever committed.
 * Callers pass a temp dir (test/support/temp-dir.ts, or the secured cluster's own dir), removed at
 * exit. EC P-256 keys, unencrypted PKCS#8 PEM (what Node and Kafka's PEM keystore both read),
 * valid 2 days.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** A self-signed CA: `<dir>/<name>.pem` and `<dir>/<name>.key`; cert is the PEM text. */
export interface Ca {
  certFile: string;
  keyFile: string;
  cert: string;
}

/** A certificate a CA signed: `<dir>/<name>.pem` and `<dir>/<name>.key`, and their PEM text. */
export interface IssuedCertificate extends Ca {
  key: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/**
 * A new CA. Its subject has the name and random bytes, so no two CAs share one: a certificate is
 * then checked against the wrong CA as "unable to get issuer", never as a bad signature.
 */
export async function makeCa(dir: string, name: string): Promise<Ca> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, `${name}.cnf`);
  const ext = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash'];
  // Its own config, so the system openssl.cnf adds nothing.
  writeFileSync(config, ['[req]', 'distinguished_name=dn', 'x509_extensions=ca_ext', '[dn]', '[ca_ext]', ...ext].join('\n') + '\n');
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const subject = `/CN=edge-ml test CA ${name} ${randomBytes(4).toString('hex')}`;
  await openssl('req', '-x509', '-config', config, ...EC_KEY, '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', subject);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}

/**
 * A certificate for CN=name signed by `ca`, with altNames as openssl's subjectAltName
 * ('IP:127.0.0.1,DNS:localhost') and the extended key usage for a TLS server, client or both.
 */
export async function issueCertificate(ca: Ca, dir: string, name: string, options: { altNames: string; usage: 'server' | 'client' | 'both' }): Promise<IssuedCertificate> {
  mkdirSync(dir, { recursive: true });
  const usage = { server: 'serverAuth', client: 'clientAuth', both: 'serverAuth,clientAuth' }[options.usage];
  const ext = join(dir, `${name}.ext`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const lines = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', `extendedKeyUsage=${usage}`, `subjectAltName=${options.altNames}`, 'authorityKeyIdentifier=keyid', 'subjectKeyIdentifier=hash'];
  writeFileSync(ext, lines.join('\n') + '\n');
  await openssl('req', '-new', ...EC_KEY, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${name}`);
  // A random serial: no serial file shared by certificates issued at once.
  await openssl('x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', ext, '-out', certFile);
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

async function openssl(...args: string[]): Promise<void> {
  await execa('openssl', args, { stdin: 'ignore', timeout: 30_000 });
}
