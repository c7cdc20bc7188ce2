import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa, ExecaError } from 'execa';
import { EdgeMlError } from '../../errors.js';
import { JAVA_TOOL_OPTIONS, javaMissing } from './kafka-java.js';

export interface FormatOptions {
  /** The nodes of one cluster are formatted with the same cluster id; a new one when not given. */
  clusterId?: string;
  /**
   * SCRAM users written into the cluster's bootstrap metadata (`--add-scram`, Kafka 3.5+), so that
   * they exist before any broker starts. Their passwords are on the tool's command line: test use.
   */
  scramUsers?: readonly ScramUser[];
}

export interface ScramUser {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  name: string;
  /** Written as given: keep to characters the storage tool's [key=value,...] syntax allows (no , ] or "). */
  password: string;
}

/**
 * Formats the KRaft data dir on first start and returns its cluster id. A formatted dir keeps its
 * cluster id in meta.properties, so later starts read it instead of running the storage tool.
 */
export async function formatStorage(classpath: readonly string[], configFile: string, dataDir: string, options: FormatOptions = {}): Promise<string> {
  const existing = formattedClusterId(dataDir);
  if (existing) return existing;
  const clusterId = options.clusterId ?? newClusterId();
  const scram = (options.scramUsers ?? []).flatMap((user) => ['--add-scram', `${user.mechanism}=[name=${user.name},password=${user.password}]`]);
  const args = [...JAVA_TOOL_OPTIONS, '-cp', classpath.join(delimiter), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', configFile, '--ignore-formatted', ...scram];
  try {
    await execa('java', args, { stdin: 'ignore', all: true, timeout: 60_000 });
  } catch (err) {
    if (err instanceof ExecaError && err.code === 'ENOENT') throw javaMissing();
    // The tool runs without a log4j config: its "log4j:WARN no appenders" lines are noise.
    const output = err instanceof ExecaError ? String(err.all ?? '').split('\n').filter((line) => line.trim() && !line.startsWith('log4j:')).slice(-5).join('\n') : String(err);
    throw new EdgeMlError(`formatting the Kafka storage in ${dataDir} failed:\n${output}`, `remove ${dataDir} if it holds nothing you need, and start again`);
  }
  return formattedClusterId(dataDir) ?? clusterId;
}

function formattedClusterId(dataDir: string): string | undefined {
  const meta = join(dataDir, 'meta.properties');
  if (!existsSync(meta)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1]?.trim();
}

/** Like Kafka's Uuid.randomUuid(): 16 random bytes, URL-safe base64, never starting with '-'. */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
