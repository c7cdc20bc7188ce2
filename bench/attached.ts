/**
 * npm run bench:attached: bench:e2e twice in one run, on this machine's two cores: on the embedded
 * single plaintext broker (the baseline), then attached to a 3-broker KRaft cluster whose clients
 * speak SASL_SSL (SCRAM-SHA-512, TLS to every broker; the test support's cluster, certificates made
 * now), so the figures show what a replicated, encrypted, authenticated cluster costs.
 * Prints {"embeddedPlaintext": {...}, "attachedSaslSsl3Brokers": {...}}.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSecureCluster } from '../test/support/secure-kafka.js';

const E2E = fileURLToPath(new URL('./e2e.js', import.meta.url));

function benchE2e(args: string[]): unknown {
  const run = spawnSync(process.execPath, [E2E, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_800_000 });
  if (run.status !== 0) throw new Error(`bench:e2e ${args.join(' ')} exited ${run.status}`);
  return JSON.parse(run.stdout) as unknown;
}

const embeddedPlaintext = benchE2e([]);
const cluster = await startSecureCluster();
try {
  const attachedSaslSsl3Brokers = benchE2e(['--bootstrap-server', cluster.bootstrap, '--kafka-config', cluster.javaClientConfig('scram')]);
  process.stdout.write(`${JSON.stringify({ embeddedPlaintext, attachedSaslSsl3Brokers }, null, 2)}\n`);
} finally {
  await cluster.stop();
}
