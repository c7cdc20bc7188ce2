import mqtt, { type MqttClient } from 'mqtt';
import { parsePayload } from '../../src/generator/payload.js';

/**
 * A QoS 1 subscriber to every car's topic that records payloads by car and eventId. With a
 * persistent session (clean false) the broker keeps its messages while it is disconnected.
 */
export class CarSubscriber {
  /** Every delivery, duplicates included. */
  received = 0;
  readonly payloads = new Map<string, Map<number, string>>();
  readonly problems: string[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      this.received += 1;
      const carId = /^car\/([^/]+)\/engine\/temperature$/.exec(topic)?.[1];
      const text = payload.toString();
      const parsed = parsePayload(text);
      if (!carId || typeof parsed === 'string') {
        this.problems.push(`${topic}: ${typeof parsed === 'string' ? parsed : 'unexpected topic'}`);
        return;
      }
      let byEvent = this.payloads.get(carId);
      if (!byEvent) this.payloads.set(carId, (byEvent = new Map()));
      byEvent.set(parsed.eventId, text);
    });
  }

  static async connect(url: string, options: { clientId: string; persistent?: boolean }): Promise<CarSubscriber> {
    const client = await mqtt.connectAsync(url, {
      clientId: options.clientId,
      clean: !options.persistent,
      protocolVersion: 4,
      reconnectPeriod: 200,
    });
    client.on('error', () => {}); // reconnects on its own across a broker restart
    try {
      await client.subscribeAsync('car/+/engine/temperature', { qos: 1 });
    } catch (err) {
      await client.endAsync(true); // or it would go on reconnecting after the test
      throw err;
    }
    return new CarSubscriber(client);
  }

  /** Distinct (car, eventId) pairs received. */
  get distinct(): number {
    let n = 0;
    for (const byEvent of this.payloads.values()) n += byEvent.size;
    return n;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
