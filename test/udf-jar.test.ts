import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROCESSOR_JAR_NAME, UDF_JAR_NAME, UDF_PROJECT_DIR } from '../src/udf/jars.js';

// CI builds udf-jar (`mvn -B -f udf-jar/pom.xml package`) before `npm test`.
const built = (name: string): string => join(UDF_PROJECT_DIR, 'target', name);
const committed = (name: string): string => join(UDF_PROJECT_DIR, 'dist', name);

/** Entry names from a zip's central directory (enough of the format for a jar listing). */
function jarEntries(file: string): string[] {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  assert.ok(end >= 0, `${file} is not a zip`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, 'central directory entry');
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

for (const name of [UDF_JAR_NAME, PROCESSOR_JAR_NAME]) {
  test(`${name} is built and holds no io.confluent classes`, () => {
    assert.ok(existsSync(built(name)), `${built(name)} missing: run mvn -B -f udf-jar/pom.xml package first`);
    const entries = jarEntries(built(name));
    assert.deepEqual(entries.filter((e) => e.startsWith('io/confluent/')), []);
  });

  test(`the committed dist/${name} is byte-identical to a fresh build`, () => {
    assert.ok(existsSync(committed(name)), `${committed(name)} missing`);
    assert.ok(readFileSync(built(name)).equals(readFileSync(committed(name))), `dist/${name} differs from target/${name}: copy the fresh build into udf-jar/dist and commit it`);
  });
}

test('the UDF jar bundles the model and a relocated h2o-genmodel', () => {
  const entries = new Set(jarEntries(built(UDF_JAR_NAME)));
  for (const e of ['dev/edgeml/udf/AnomalyUdf.class', 'dev/edgeml/udf/ScoreCli.class', 'dev/edgeml/udf/model/autoencoder.zip', 'dev/edgeml/udf/model/autoencoder.properties']) {
    assert.ok(entries.has(e), `${e} missing`);
  }
  assert.ok(entries.has('dev/edgeml/udf/shaded/hex/genmodel/MojoModel.class'), 'h2o-genmodel is shaded under dev/edgeml/udf/shaded');
  assert.deepEqual([...entries].filter((e) => /^(hex|water|com\/google)\//.test(e)), [], 'no unrelocated model runtime classes');
  assert.deepEqual([...entries].filter((e) => e.startsWith('dev/edgeml/processor/')), [], 'the processor lives in its own jar');
});

test('the processor jar is thin: only the Streams application', () => {
  const classes = jarEntries(built(PROCESSOR_JAR_NAME)).filter((e) => e.endsWith('.class'));
  assert.ok(classes.includes('dev/edgeml/processor/AnomalyProcessor.class'));
  assert.deepEqual(classes.filter((e) => !e.startsWith('dev/edgeml/processor/')), []);
});
