import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './support/node-test.js';
import { labelledPayloads } from '../src/model/evaluate.js';
import { scorePayloads } from '../src/model/jar-scorer.js';
import { PROCESSOR_JAR_NAME, UDF_JAR_NAME, UDF_PROJECT_DIR } from '../src/udf/jars.js';
import { Jar } from './support/jar.js';

// npm test builds udf-jar (`mvn -B -f udf-jar/pom.xml package`) before the tests run.
const built = (name: string): string => join(UDF_PROJECT_DIR, 'target', name);
const committed = (name: string): string => join(UDF_PROJECT_DIR, 'dist', name);
const MODEL_RESOURCES = ['dev/edgeml/udf/model/autoencoder.zip', 'dev/edgeml/udf/model/autoencoder.properties'];

for (const name of [UDF_JAR_NAME, PROCESSOR_JAR_NAME]) {
  test(`${name} is built and holds no io.confluent classes`, () => {
    assert.ok(existsSync(built(name)), `${built(name)} missing: run mvn -B -f udf-jar/pom.xml package first`);
    assert.deepEqual(new Jar(built(name)).names().filter((e) => e.startsWith('io/confluent/')), []);
  });

  /**
   * The build is reproducible for one JDK: compared byte for byte where this JDK is the one that
   * built dist/. Another JDK's javac may emit other bytes for the same source, so there the test
   * checks what users get: the same classes and, below, the same model and the same scores.
   */
  test(`the committed dist/${name} is what a fresh build gives`, () => {
    assert.ok(existsSync(committed(name)), `${committed(name)} missing`);
    const fresh = new Jar(built(name));
    const shipped = new Jar(committed(name));
    const fix = `copy the fresh build into udf-jar/dist (cp udf-jar/target/${name} udf-jar/dist/) and commit it`;
    if (fresh.buildJdk() === shipped.buildJdk()) {
      assert.ok(readFileSync(built(name)).equals(readFileSync(committed(name))), `dist/${name} differs from target/${name}, both built by JDK ${fresh.buildJdk()}: ${fix}`);
    } else {
      assert.deepEqual(fresh.names().sort(), shipped.names().sort(), `dist/${name} (JDK ${shipped.buildJdk()}) has other entries than a build with JDK ${fresh.buildJdk()}: ${fix}`);
    }
  });
}

test('the committed UDF jar carries the fresh build\'s model, byte for byte, and scores labelled windows exactly as it does', async () => {
  const fresh = new Jar(built(UDF_JAR_NAME));
  const shipped = new Jar(committed(UDF_JAR_NAME));
  for (const resource of MODEL_RESOURCES) assert.ok(fresh.read(resource).equals(shipped.read(resource)), `${resource} differs`);
  const windows = labelledPayloads({ windows: 400, seed: 1717, cars: 20, anomalyRate: 0.1 });
  assert.ok(windows.some((w) => w.fault) && windows.some((w) => !w.fault), 'normal and faulty windows both');
  const payloads = windows.map((w) => w.payload);
  const [freshScores, shippedScores] = await Promise.all([scorePayloads(payloads, built(UDF_JAR_NAME)), scorePayloads(payloads, committed(UDF_JAR_NAME))]);
  assert.ok(freshScores.every((s) => s !== null && Number.isFinite(s)), 'every generated window is scored');
  assert.deepEqual(shippedScores, freshScores);
});

test('the UDF jar bundles the model and a relocated h2o-genmodel', () => {
  const entries = new Set(new Jar(built(UDF_JAR_NAME)).names());
  for (const e of ['dev/edgeml/udf/AnomalyUdf.class', 'dev/edgeml/udf/ScoreCli.class', ...MODEL_RESOURCES]) {
    assert.ok(entries.has(e), `${e} missing`);
  }
  assert.ok(entries.has('dev/edgeml/udf/shaded/hex/genmodel/MojoModel.class'), 'h2o-genmodel is shaded under dev/edgeml/udf/shaded');
  assert.deepEqual([...entries].filter((e) => /^(hex|water|com\/google)\//.test(e)), [], 'no unrelocated model runtime classes');
  assert.deepEqual([...entries].filter((e) => e.startsWith('dev/edgeml/processor/')), [], 'the processor lives in its own jar');
});

test('the processor jar is thin: only the Streams application', () => {
  const classes = new Jar(built(PROCESSOR_JAR_NAME)).names().filter((e) => e.endsWith('.class'));
  assert.ok(classes.includes('dev/edgeml/processor/AnomalyProcessor.class'));
  assert.deepEqual(classes.filter((e) => !e.startsWith('dev/edgeml/processor/')), []);
});
