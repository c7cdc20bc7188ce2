import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 (its last release) schedules its pending-request check with a negative delay
 * whenever nothing is throttled, so every connection re-checks an empty queue every millisecond:
 * CPU burnt while idle, and on Node 24 a TimeoutNegativeWarning on stderr
 * (tulios/kafkajs#1751, #1556). This replaces that one method with the upstream proposal
 * (tulios/kafkajs#1667): check again only when a request waits or a throttle ends.
 */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own interval for re-checking requests held back by the in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueueInternals };

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && untilUnthrottled <= 0) return;
  const delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
};

export { RequestQueue as PatchedRequestQueue };
