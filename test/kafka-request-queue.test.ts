import assert from 'node:assert/strict';
import { test } from './support/node-test.js';
import { PatchedRequestQueue } from '../src/kafka/request-queue-fix.js';

type Queue = InstanceType<new (...args: never[]) => object> & {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
};

/** A real kafkajs RequestQueue, with no connection behind it. */
function requestQueue(): Queue {
  const RequestQueue = PatchedRequestQueue as unknown as new (options: object) => Queue;
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:1', logger, isConnected: () => true });
}

test('kafkajs request queue: an idle queue schedules no check (upstream re-checks every 1 ms with a negative delay)', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  const queue = requestQueue();
  try {
    queue.scheduleCheckPendingRequests();
    assert.equal(queue.throttleCheckTimeoutId, null);
    queue.checkPendingRequests();
    assert.equal(queue.throttleCheckTimeoutId, null);
  } finally {
    queue.destroy();
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings.map((w) => w.name), []);
});

test('kafkajs request queue: a waiting request is checked again soon, a throttled one when the throttle ends', async () => {
  const queue = requestQueue();
  try {
    let checks = 0;
    queue.checkPendingRequests = () => void checks++;
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    assert.notEqual(queue.throttleCheckTimeoutId, null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(checks, 1);

    queue.pending.length = 0;
    queue.throttledUntil = Date.now() + 100;
    queue.scheduleCheckPendingRequests();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(checks, 1, 'not before the throttle ends');
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(checks, 2);
  } finally {
    queue.destroy();
  }
});
