/** The docker runtime's MQTT service: the Confluent MQTT Proxy, or this project's endpoint built as a container. */
export type DockerMqtt = 'proxy' | 'endpoint';
export const DOCKER_MQTT: readonly DockerMqtt[] = ['proxy', 'endpoint'];

/** A validated scenario: everything below is checked once on load and trusted afterwards. */
export interface TopicMapping {
  kafkaTopic: string;
  mqttPattern: RegExp;
}

export interface Scenario {
  name: string;
  description: string;
  /** Absolute path of the YAML file it was loaded from. */
  file: string;
  kafka: {
    topics: { name: string; partitions: number }[];
  };
  mqtt: {
    topicTemplate: string;
    /** The MQTT Proxy's `topic.regex.list` text, as given. */
    topicRegexList: string;
    topicMappings: TopicMapping[];
    maxMessageBytes: number;
    /** The docker runtime's MQTT service unless --mqtt says otherwise. */
    docker: DockerMqtt;
  };
  streams: {
    source: string;
    scores: string;
    anomalies: string;
    carIdPattern: string;
  };
  ksql: {
    file: string;
    /** The statements with every ${placeholder} filled in. */
    text: string;
  };
  model: { threshold: number };
  generator: { cars: number; rate: number; anomalyRate: number; qos: 0 | 1 | 2 };
  smoke: { cars: number; messages: number; minRecall: number; minPrecision: number };
}

/** MQTT topic of a car, from the scenario's template. */
export function carTopic(scenario: Scenario, carId: number | string): string {
  return scenario.mqtt.topicTemplate.replaceAll('{car}', String(carId));
}

/** CARID as both runtimes derive it from the MQTT topic (the record key). */
export function carIdOfTopic(scenario: Scenario, mqttTopic: string): string {
  const match = new RegExp(scenario.streams.carIdPattern).exec(mqttTopic);
  return match?.[1] ?? mqttTopic;
}

/** Parses a `topic.regex.list`: `<kafka topic>:<regex>` pairs separated by commas. */
export function parseTopicRegexList(text: string): TopicMapping[] | string {
  const mappings: TopicMapping[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) return `'${entry}' is not <kafka topic>:<regex>`;
    const kafkaTopic = entry.slice(0, colon);
    try {
      // The proxy matches the whole MQTT topic against the regex (Java Matcher.matches()).
      mappings.push({ kafkaTopic, mqttPattern: new RegExp(`^(?:${entry.slice(colon + 1)})$`) });
    } catch (err) {
      return `'${entry.slice(colon + 1)}' is not a valid regex: ${(err as Error).message}`;
    }
  }
  return mappings.length > 0 ? mappings : 'no <kafka topic>:<regex> pairs';
}

/** The Kafka topic an MQTT topic maps to; the first matching pair wins, as in the proxy's list. */
export function kafkaTopicFor(mappings: readonly TopicMapping[], mqttTopic: string): string | undefined {
  return mappings.find((m) => m.mqttPattern.test(mqttTopic))?.kafkaTopic;
}
