import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaClientConfig } from '../src/kafka/client-config.js';

/**
 * The connection of a client config as a librdkafka properties file for `kcat -F`, private to this
 * process (mode 0600, a temp dir removed by `remove`): kcat's -X flags would show the password in ps.
 */
export function kcatConfigFile(config: KafkaClientConfig | undefined): { file: string; remove: () => void } | undefined {
  if (!config?.ssl && !config?.sasl) return undefined;
  const lines = [`security.protocol=${config.sasl ? (config.ssl ? 'SASL_SSL' : 'SASL_PLAINTEXT') : 'SSL'}`];
  if (config.sasl && 'password' in config.sasl) {
    lines.push(`sasl.mechanisms=${config.sasl.mechanism.toUpperCase()}`, `sasl.username=${config.sasl.username}`, `sasl.password=${config.sasl.password}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'edge-ml-kcat-'));
  // PEM goes in files of its own: a properties line cannot hold its line breaks.
  const pemFile = (name: string, value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    writeFileSync(join(dir, name), value, { mode: 0o600 });
    return join(dir, name);
  };
  const ca = pemFile('ca.pem', config.ssl?.ca);
  if (ca) lines.push(`ssl.ca.location=${ca}`);
  const cert = pemFile('cert.pem', config.ssl?.cert);
  const key = pemFile('key.pem', config.ssl?.key);
  if (cert && key) lines.push(`ssl.certificate.location=${cert}`, `ssl.key.location=${key}`);
  if (config.ssl?.checkServerIdentity) lines.push('ssl.endpoint.identification.algorithm=none');
  const file = join(dir, 'kcat.properties');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
