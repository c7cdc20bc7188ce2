/**
 * A window in the tutorial's seed message format (`eventId,r1# r2# ...`, 210 smooth readings near 5,
 * as the seed's sample message): what tests publish with mosquitto_pub and expect scored.
 */
export const seedPayload = (eventId: number): string =>
  `${eventId},${Array.from({ length: 210 }, (_, i) => (5 + 0.8 * Math.sin((2 * Math.PI * i) / 500)).toFixed(2)).join('# ')}`;
