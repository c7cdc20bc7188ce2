import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, ExecaError } from 'execa';
import { EdgeMlError } from '../../errors.js';
import type { Reporter } from '../types.js';

/** The Apache Kafka the local runtime runs: the Kafka inside Confluent Platform 7.9, which kafkajs speaks. */
export const KAFKA_VERSION = '3.9.2';

/** The resolution-only pom, beside this module in src/ (the compiled module in dist/ finds it there too). */
export const KAFKA_POM = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../src/runtime/local/pom.xml');

/** Written after a complete download only, so that an interrupted one is started again. */
const COMPLETE_MARKER = '.complete';

/**
 * The jars of the Kafka broker and of the Kafka Streams processor. With KAFKA_HOME set, those of
 * that Apache Kafka distribution; else Kafka KAFKA_VERSION from Maven Central, copied once by
 * Maven into `<cacheDir>/kafka-<version>/libs`.
 */
export async function resolveKafkaClasspath(cacheDir: string, reporter: Reporter, kafkaHome = process.env.KAFKA_HOME): Promise<string[]> {
  if (kafkaHome) return distributionJars(kafkaHome, reporter);
  const root = join(cacheDir, `kafka-${KAFKA_VERSION}`);
  const libs = join(root, 'libs');
  if (!existsSync(join(root, COMPLETE_MARKER))) {
    await reporter.step(`downloading Apache Kafka ${KAFKA_VERSION} jars from Maven Central (once, into ${libs})`, () => copyDependencies(libs));
    writeFileSync(join(root, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  }
  return jarsIn(libs);
}

async function copyDependencies(libs: string): Promise<void> {
  // A partial earlier copy may hold truncated jars that Maven would not overwrite.
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  const args = ['-B', '-q', '-f', KAFKA_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'];
  try {
    await execa('mvn', args, { stdin: 'ignore', all: true });
  } catch (err) {
    if (!(err instanceof ExecaError)) throw err;
    if (err.code === 'ENOENT') {
      throw new EdgeMlError(
        'Maven (mvn) is not on PATH; it is needed once to download the Apache Kafka jars',
        'install Maven (e.g. apt-get install maven), or set KAFKA_HOME to an Apache Kafka 3.9 distribution',
      );
    }
    const tail = String(err.all ?? '').trim().split('\n').slice(-8).join('\n');
    throw new EdgeMlError(
      `downloading the Apache Kafka ${KAFKA_VERSION} jars failed (mvn exited ${err.exitCode ?? err.signal})${tail ? `:\n${tail}` : ''}`,
      `check that Maven Central is reachable (or set KAFKA_HOME to an Apache Kafka distribution); retry by hand: mvn -B -f ${KAFKA_POM} dependency:copy-dependencies -DoutputDirectory=${libs}`,
    );
  }
}

function distributionJars(kafkaHome: string, reporter: Reporter): string[] {
  const libs = join(kafkaHome, 'libs');
  const jars = existsSync(libs) ? jarsIn(libs) : [];
  const core = jars.map((jar) => /kafka_2\.1\d-([\d.]+)\.jar$/.exec(jar)?.[1]).find(Boolean);
  if (!core) {
    throw new EdgeMlError(`KAFKA_HOME=${kafkaHome} is not an Apache Kafka distribution (no libs/kafka_2.13-*.jar)`, 'point KAFKA_HOME at an unpacked kafka_2.13-3.9.x folder, or unset it to download the jars');
  }
  if (!core.startsWith('3.')) reporter.warn(`KAFKA_HOME has Kafka ${core}; the local runtime is made for ${KAFKA_VERSION} and kafkajs may not speak 4.x`);
  return jars;
}

function jarsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jar'))
    .sort()
    .map((name) => join(dir, name));
}
