import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { tempDir } from './temp-dir.js';

/** A certificate and its key, as PEM text. */
export interface KeyPair {
  key: string;
  cert: string;
}

/** A private CA, the files of its PEM certificate, and server certificates it signed. */
export interface TestPki {
  caFile: string;
  /** Another CA, which signed nothing here: trusting it trusts none of the servers. */
  otherCaFile: string;
  /** For 127.0.0.1 and localhost. */
  server: KeyPair;
  /** For wrong.example only: a hostname mismatch on 127.0.0.1. */
  wrongName: KeyPair;
}

/**
 * Generates the CAs and certificates with openssl into a temp dir removed at exit: keys are made
 * at test time and never committed. EC P-256 keys, valid one day.
 */
export async function makeTestPki(): Promise<TestPki> {
  const dir = tempDir('edge-ml-tls-');
  const openssl = (...args: string[]) => execa('openssl', args, { cwd: dir, timeout: 30_000 });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  const ca = async (name: string): Promise<void> => {
    await openssl('req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=edge-ml test ${name}`, ...caExtensions);
  };
  const signed = async (name: string, altNames: string): Promise<KeyPair> => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`);
    await openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
    return { key: readFileSync(join(dir, `${name}.key`), 'utf8'), cert: readFileSync(join(dir, `${name}.pem`), 'utf8') };
  };
  await ca('ca');
  await ca('other-ca');
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    server: await signed('server', 'DNS:localhost,IP:127.0.0.1'),
    wrongName: await signed('wrong-name', 'DNS:wrong.example'),
  };
}
