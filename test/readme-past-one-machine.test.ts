/**
 * The README's "Past one machine" section: its Confluent Cloud properties file is one the loader
 * takes (with the placeholders' variables set), and its commands are ones the CLI accepts.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKafkaClientConfig } from '../src/kafka/client-config.js';
import { buildProgram } from '../src/cli.js';
import { test } from './support/node-test.js';
import { tempDir } from './support/temp-dir.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const section = README.slice(README.indexOf('## Past one machine'), README.indexOf('\n## ', README.indexOf('## Past one machine') + 1));

test('README past one machine: the Confluent Cloud properties file loads, SASL_SSL PLAIN with the key and secret from the environment', () => {
  const properties = /```properties\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(properties, 'the section has a properties block');
  const file = join(tempDir('edge-ml-readme-'), 'ccloud.properties');
  writeFileSync(file, properties);
  const config = loadKafkaClientConfig(file, { CC_API_KEY: 'KEY123', CC_API_SECRET: 'secret-456' });
  assert.match(config.bootstrap ?? '', /^pkc-xxxxx\..*:9092$/);
  assert.deepEqual(config.sasl, { mechanism: 'plain', username: 'KEY123', password: 'secret-456' });
  assert.ok(config.ssl, 'TLS');
  assert.equal(config.javaProperties['security.protocol'], 'SASL_SSL');
  assert.match(config.javaProperties['sasl.jaas.config'] ?? '', /PlainLoginModule required username=.KEY123. password=.secret-456.;/);
});

test('README past one machine: every edge-ml command in it parses (flags and values the CLI knows)', async () => {
  const commands = [...section.matchAll(/^(?:\S+=\S+ \\\n\s*)?edge-ml (.+?)(?:\s+#.*)?$/gm)].map((m) => m[1]!.trim().split(/\s+/));
  assert.ok(commands.length >= 8, `found ${commands.length} commands`);
  for (const argv of commands) {
    const program = buildProgram();
    // Parse only: every command's action is replaced, so nothing runs and nothing is reached.
    for (const command of program.commands) {
      command.action(() => undefined);
      for (const sub of command.commands) sub.action(() => undefined);
    }
    program.exitOverride();
    for (const command of program.commands) command.exitOverride();
    await assert.doesNotReject(program.parseAsync(['node', 'edge-ml', ...argv]), `edge-ml ${argv.join(' ')}`);
  }
});
