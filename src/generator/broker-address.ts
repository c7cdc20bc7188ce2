import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';

/** An MQTT broker as the generator dials it: plain TCP or TLS. */
export interface BrokerAddress {
  /** As the user gave it, for messages. */
  url: string;
  tls: boolean;
  host: string;
  port: number;
  /** PEM CA(s) an mqtts:// broker's certificate is checked against; default: the system's. */
  ca?: string;
}

const SCHEMES: Record<string, { tls: boolean; port: number }> = {
  'mqtt:': { tls: false, port: 1883 },
  'tcp:': { tls: false, port: 1883 },
  'mqtts:': { tls: true, port: 8883 },
  'ssl:': { tls: true, port: 8883 },
};

/** Parses mqtt://host:port (or tcp://, mqtts://, ssl://); returns a reason string when it is not one. */
export function parseBrokerUrl(text: string): BrokerAddress | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text}' is not a URL such as mqtt://localhost:1883`;
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) return `'${url.protocol}' is not supported: use mqtt://, tcp://, mqtts:// or ssl://`;
  if (!url.hostname) return `'${text}' has no host`;
  // URL keeps the brackets of an IPv6 literal; sockets want the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: text, tls: scheme.tls, host, port: url.port ? Number(url.port) : scheme.port };
}

/** Returns the addresses that are not IP literals (a source address must be one). */
export function invalidSourceAddresses(addresses: readonly string[]): string[] {
  return addresses.filter((a) => isIP(a) === 0);
}

/**
 * Opens the byte stream under one MQTT connection, bound to `localAddress` when given: one local
 * address offers ~28k ephemeral ports towards one broker port, so big fleets spread their
 * connections over several (127.0.0.x loopback aliases work on Linux without setup).
 */
export function openBrokerStream(broker: BrokerAddress, localAddress?: string): Duplex {
  const options = { host: broker.host, port: broker.port, localAddress };
  return broker.tls ? tlsConnect({ ...options, ca: broker.ca, servername: isIP(broker.host) ? undefined : broker.host }) : netConnect(options);
}
