import assert from 'node:assert/strict';
import type { ICustomPartitioner, Message, Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { KafkaBatcher, Placements } from '../src/runtime/local/kafka-batcher.js';
import { test } from './support/node-test.js';

/**
 * A producer that partitions as kafkajs does (calling the partitioner for every message of every
 * send) and answers with the partitions `answer` picks: kafkajs 2.2.4 answers without the
 * partitions its retry skipped after a leader change.
 */
function producerAnswering(placements: Placements, answer: (send: number, partitions: number[]) => number[]): { producer: Producer; sends: Message[][] } {
  const byPartition: ICustomPartitioner = () => ({ message }) => Number(String(message.key).split('/')[1]) % 3;
  const partitioner = placements.recording(byPartition)();
  const sends: Message[][] = [];
  const producer = {
    async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
      const topicMessages = batch.topicMessages!;
      const messages = topicMessages.flatMap((t) => t.messages);
      sends.push(messages);
      const partitions = [...new Set(messages.map((message) => partitioner({ topic: 'temperature', message, partitionMetadata: [] })))];
      return answer(sends.length, partitions).map((partition) => ({ topicName: 'temperature', partition, errorCode: 0 }));
    },
  } as unknown as Producer;
  return { producer, sends };
}

const record = (car: number, event: number): Message => ({ key: `car/${car}/engine/temperature`, value: `${event},1.0` });

test('a send whose answer lacks a partition (kafkajs after a leader change) acknowledges only the covered records and sends the others again, first and in order', async () => {
  const placements = new Placements();
  const skippedReports: number[] = [];
  // The first send comes back without partition 1; the second covers everything.
  const { producer, sends } = producerAnswering(placements, (send, partitions) => (send === 1 ? partitions.filter((p) => p !== 1) : partitions));
  const batcher = new KafkaBatcher(producer, { lingerMs: 1, maxBatchMessages: 100, maxBatchBytes: 1 << 20, placements, onError: () => assert.fail('no error'), onHeld: () => assert.fail('no hold'), onSkipped: (n) => skippedReports.push(n) });
  const acked: string[] = [];
  const sent = [record(1, 1), record(2, 1), record(4, 1), record(1, 2), record(3, 1), record(4, 2)];
  const all = sent.map((message) => new Promise<void>((resolve, reject) => batcher.send('temperature', message, (err) => (err ? reject(err) : (acked.push(`${message.key}#${String(message.value)}`), resolve())))));
  await Promise.all(all);
  assert.deepEqual(skippedReports, [4], 'cars 1 and 4 (partition 1) were left out once');
  assert.equal(sends.length, 2);
  assert.deepEqual(sends[1]!.map((m) => `${m.key}#${String(m.value)}`), ['car/1/engine/temperature#1,1.0', 'car/4/engine/temperature#1,1.0', 'car/1/engine/temperature#2,1.0', 'car/4/engine/temperature#2,1.0'], 'resent in their order');
  assert.equal(acked.length, 6, 'each record acknowledged once');
  assert.deepEqual(acked.slice(0, 2), ['car/2/engine/temperature#1,1.0', 'car/3/engine/temperature#1,1.0'], 'the covered ones at once');
});

test('a record its partition never comes back for fails after a bound, so its publisher resends instead of waiting forever', async () => {
  const placements = new Placements();
  const { producer } = producerAnswering(placements, (_send, partitions) => partitions.filter((p) => p !== 1));
  const batcher = new KafkaBatcher(producer, { lingerMs: 1, maxBatchMessages: 100, maxBatchBytes: 1 << 20, placements, onError: () => undefined, onHeld: () => undefined, onSkipped: () => undefined });
  const result = await new Promise<Error | undefined>((resolve) => batcher.send('temperature', record(1, 1), resolve));
  assert.match(result?.message ?? '', /acknowledged 5 sends without this record's partition/);
});
