/** Which cars this process simulates, and how they share MQTT connections. */

export interface Shard {
  /** 1-based: machine `index` of `count`. */
  index: number;
  count: number;
}

/** Parses `i/n` (1 <= i <= n); returns a reason string when it is not one. */
export function parseShard(text: string): Shard | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return `expected i/n such as 2/4, got '${text}'`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) return `expected 1 <= i <= n, got '${text}'`;
  return { index, count };
}

/**
 * The car ids of one shard: a contiguous block of the fleet 1..cars, blocks differing in size by at
 * most one, so machines together simulate every car exactly once.
 */
export function shardCarIds(cars: number, shard: Shard = { index: 1, count: 1 }): number[] {
  const first = Math.floor(((shard.index - 1) * cars) / shard.count) + 1;
  const last = Math.floor((shard.index * cars) / shard.count);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/** Splits cars into `connections` contiguous groups of near-equal size (none empty). */
export function groupCars(carIds: readonly number[], connections: number): number[][] {
  const groups: number[][] = [];
  for (let k = 0; k < connections; k++) {
    const start = Math.floor((k * carIds.length) / connections);
    const end = Math.floor(((k + 1) * carIds.length) / connections);
    groups.push(carIds.slice(start, end));
  }
  return groups;
}

/** `edge-ml-car-7` for a car of its own; `edge-ml-car-1-100` for a connection carrying cars 1..100. */
export function clientIdFor(prefix: string, carIds: readonly number[]): string {
  return carIds.length === 1 ? `${prefix}${carIds[0]}` : `${prefix}${carIds[0]}-${carIds[carIds.length - 1]}`;
}
