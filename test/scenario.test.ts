import assert from 'node:assert/strict';
import { writeFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from './support/node-test.js';
import { EdgeMlError } from '../src/errors.js';
import { loadScenario, parseScenario, SCENARIOS_DIR } from '../src/scenario/load.js';
import { carIdOfTopic, kafkaTopicFor } from '../src/scenario/scenario.js';
import { tempDir } from './support/temp-dir.js';

const goodYaml = readFileSync(join(SCENARIOS_DIR, 'connected-cars.yaml'), 'utf8');

function scenarioDir(): string {
  const dir = tempDir('edge-ml-scenario-');
  copyFileSync(join(SCENARIOS_DIR, 'connected-cars.sql'), join(dir, 'connected-cars.sql'));
  return dir;
}

function loadError(yaml: string): EdgeMlError {
  const file = join(scenarioDir(), 'broken.yaml');
  writeFileSync(file, yaml);
  try {
    parseScenario(yaml, file);
  } catch (err) {
    assert.ok(err instanceof EdgeMlError);
    return err;
  }
  assert.fail('the scenario loaded although it is broken');
}

test('the bundled scenario loads with typed fields and filled-in KSQL', () => {
  const s = loadScenario('connected-cars');
  assert.equal(s.name, 'connected-cars');
  assert.equal(s.kafka.topics[0]?.name, 'temperature');
  assert.equal(kafkaTopicFor(s.mqtt.topicMappings, 'car/17/engine/temperature'), 'temperature');
  assert.equal(kafkaTopicFor(s.mqtt.topicMappings, 'car/engine/temperature'), 'temperature', "the seed's topic maps too");
  assert.equal(kafkaTopicFor(s.mqtt.topicMappings, 'car/17/engine/rpm'), undefined);
  assert.equal(carIdOfTopic(s, 'car/17/engine/temperature'), '17');
  assert.equal(carIdOfTopic(s, 'car/engine/temperature'), 'car/engine/temperature');
  assert.match(s.ksql.text, /CREATE OR REPLACE STREAM ANOMALYDETECTIONWITHFILTER/);
  assert.match(s.ksql.text, new RegExp(`ANOMALY_VAL > ${s.model.threshold}`));
  assert.doesNotMatch(s.ksql.text, /\$\{/, 'every placeholder is filled in');
});

test('broken YAML is a usage error naming file, line and column', () => {
  const err = loadError('name: x\nkafka:\n  topics: [\n');
  assert.equal(err.exitCode, 2);
  assert.match(err.message, /broken\.yaml:\d+:\d+: the scenario is not valid YAML/);
});

test('a missing field is named with the line where it belongs', () => {
  const yaml = goodYaml.replace(/^\s*threshold:.*$/m, '');
  const err = loadError(yaml);
  assert.match(err.message, /broken\.yaml:\d+:\d+: missing field 'model\.threshold'/);
});

test('a field of the wrong type is named with its own line and the value found', () => {
  const yaml = goodYaml.replace(/^(\s*)partitions: 3$/m, '$1partitions: three');
  const err = loadError(yaml);
  const line = yaml.split('\n').findIndex((l) => l.includes('partitions: three')) + 1;
  assert.match(err.message, new RegExp(`broken\\.yaml:${line}:\\d+: field 'kafka\\.topics\\.0\\.partitions' must be an integer >= 1`));
  assert.match(err.message, /got "three"/);
});

test('an invalid topic mapping and a template without {car} are both reported', () => {
  const yaml = goodYaml.replace(/topicRegexList: .*/, 'topicRegexList: "no-colon-here"').replace(/topicTemplate: .*/, 'topicTemplate: car/engine');
  const err = loadError(yaml);
  assert.match(err.message, /mqtt\.topicRegexList' 'no-colon-here' is not <kafka topic>:<regex>/);
  assert.match(err.message, /mqtt\.topicTemplate' must contain the placeholder \{car\}/);
});

test("mqtt.docker picks the docker runtime's MQTT service: proxy by default and in the bundled scenario, endpoint when asked, nothing else", () => {
  assert.equal(loadScenario('connected-cars').mqtt.docker, 'proxy');
  const dir = scenarioDir();
  const parsed = (yaml: string) => parseScenario(yaml, join(dir, 'variant.yaml')).mqtt.docker;
  assert.equal(parsed(goodYaml.replace(/^\s*docker: proxy\n/m, '')), 'proxy', 'absent: proxy, as in the tutorial');
  assert.equal(parsed(goodYaml.replace(/docker: proxy/, 'docker: endpoint')), 'endpoint');
  const err = loadError(goodYaml.replace(/docker: proxy/, 'docker: mosquitto'));
  assert.match(err.message, /field 'mqtt\.docker' must be one of proxy, endpoint, got "mosquitto"/);
});

test('an unknown scenario name is a usage error that says where it looked', () => {
  assert.throws(() => loadScenario('no-such-scenario'), (err: unknown) => err instanceof EdgeMlError && err.exitCode === 2 && /not found/.test(err.message));
});
