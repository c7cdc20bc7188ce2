import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, EdgeMlError } from '../errors.js';

/** udf-jar/ of this package. */
export const UDF_PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../udf-jar');

/** The jar for ksqlDB's extension dir: the ANOMALY UDF with its model and shaded model runtime. */
export const UDF_JAR_NAME = 'edge-ml-anomaly-udf.jar';
/** The Kafka Streams application of the local runtime (needs the UDF jar and Kafka's jars on its classpath). */
export const PROCESSOR_JAR_NAME = 'edge-ml-processor.jar';

/**
 * A fresh build (udf-jar/target) when there is one and it is newer than the committed jar
 * (udf-jar/dist), else the committed jar, so that users without a JDK can still deploy.
 */
export function locateJar(name: string, explicit?: string): string {
  if (explicit) {
    if (!existsSync(explicit)) throw new UsageError(`jar ${explicit} does not exist`, 'give the path of a built jar, or leave --jar out to use the bundled one');
    return resolve(explicit);
  }
  const built = resolve(UDF_PROJECT_DIR, 'target', name);
  const committed = resolve(UDF_PROJECT_DIR, 'dist', name);
  const hasBuilt = existsSync(built);
  const hasCommitted = existsSync(committed);
  if (hasBuilt && (!hasCommitted || statSync(built).mtimeMs >= statSync(committed).mtimeMs)) return built;
  if (hasCommitted) return committed;
  throw new EdgeMlError(`no ${name} found in ${UDF_PROJECT_DIR}/target or dist`, 'build it with `mvn -B -f udf-jar/pom.xml package`');
}

export function locateUdfJar(explicit?: string): string {
  return locateJar(UDF_JAR_NAME, explicit);
}

/** Main class of the processor jar (see udf-jar/pom.xml). */
export const PROCESSOR_MAIN_CLASS = 'dev.edgeml.processor.AnomalyProcessor';
