import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import mqtt from 'mqtt';
import { errorMessage } from '../errors.js';
import { createKafka } from '../kafka/kafka-client.js';

function kafka(bootstrapServers: string): Kafka {
  return createKafka({ clientId: 'edge-ml', bootstrap: bootstrapServers, retry: { retries: 2 } });
}

export type KeyProbeResult = { outcome: 'topic-key'; key: string } | { outcome: 'other-key'; key: string | null } | { outcome: 'not-seen'; why: string };

/**
 * Publishes one message over MQTT and reads it back from the Kafka topic the proxy maps it to,
 * to check the (undocumented) claim that the proxy keys records by MQTT topic. The payload is a
 * two-column row that no model can score, so the ANOMALY streams drop it.
 */
export async function probeMqttKey(options: { mqttUrl: string; mqttTopic: string; bootstrapServers: string; kafkaTopic: string; timeoutMs: number }): Promise<KeyProbeResult> {
  const payload = `0,edge-ml-probe-${randomUUID()}`;
  const client = kafka(options.bootstrapServers);
  const admin = client.admin();
  const consumer = client.consumer({ groupId: `edge-ml-probe-${randomUUID()}` });
  let timer: NodeJS.Timeout | undefined;
  try {
    await admin.connect();
    // Start reading where the topic ends now, so a long topic is not read from its beginning.
    const offsets = await admin.fetchTopicOffsets(options.kafkaTopic);
    await consumer.connect();
    await consumer.subscribe({ topic: options.kafkaTopic, fromBeginning: true });
    const seen = new Promise<KeyProbeResult>((resolve) => {
      timer = setTimeout(() => resolve({ outcome: 'not-seen', why: `nothing arrived on ${options.kafkaTopic} within ${options.timeoutMs / 1000} s` }), options.timeoutMs);
      // run() creates the consumer group synchronously, so the seeks below find it.
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString('utf8') !== payload) return;
            const key = message.key?.toString('utf8') ?? null;
            resolve(key === options.mqttTopic ? { outcome: 'topic-key', key } : { outcome: 'other-key', key });
          },
        })
        .catch((err: unknown) => resolve({ outcome: 'not-seen', why: errorMessage(err) }));
    });
    for (const { partition, offset } of offsets) consumer.seek({ topic: options.kafkaTopic, partition, offset });
    await publishOnce(options.mqttUrl, options.mqttTopic, payload);
    return await seen;
  } catch (err) {
    return { outcome: 'not-seen', why: errorMessage(err) };
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

async function publishOnce(url: string, topic: string, payload: string): Promise<void> {
  // MQTT 3.1.1: the only version the proxy speaks.
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, connectTimeout: 10_000, reconnectPeriod: 0 });
  try {
    await client.publishAsync(topic, payload, { qos: 1 });
  } finally {
    await client.endAsync();
  }
}
