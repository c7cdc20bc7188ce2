import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import type { KsqlCredentials } from '../ksql/auth.js';
import { pemCertificateFile } from './context.js';

/** A ksqlDB named on the command line: where, and how to authenticate and trust it. */
export interface KsqlConnection {
  url: string;
  credentials?: KsqlCredentials;
  /** PEM text of --ksql-ca. */
  ca?: string;
}

/** --ksql-url and its credentials and CA, for a command that speaks to any ksqlDB's REST API. */
export function addKsqlConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--ksql-url <url>', 'an existing ksqlDB server instead of the running platform (e.g. http://ksqldb:8088)').argParser(httpUrl))
    .addOption(new Option('--ksql-api-key <key>', 'API key for a ksqlDB with HTTP basic auth (Confluent Cloud: a key of the ksqlDB cluster)').env('KSQL_API_KEY'))
    .addOption(new Option('--ksql-api-secret <secret>', "the key's secret; the environment variable keeps it out of shell history").env('KSQL_API_SECRET'))
    .addOption(new Option('--ksql-ca <file>', "PEM file of the CA that signed an https ksqlDB's certificate (or NODE_EXTRA_CA_CERTS=FILE)").argParser(pemCertificateFile));
}

/** Help examples for the options above. */
export const KSQL_CONNECTION_EXAMPLES = [
  'KSQL_API_KEY=KEY KSQL_API_SECRET=SECRET edge-ml ksql --ksql-url https://pksqlc-xxxxx.us-east-1.aws.confluent.cloud:443 run "SHOW STREAMS;"',
  'edge-ml ksql --ksql-url https://ksqldb.internal:8088 --ksql-ca ca.pem --ksql-api-key KEY --ksql-api-secret SECRET apply',
];

/**
 * The ksqlDB the flags name, or undefined for the running platform's. The key and the secret come
 * as a pair (a flag wins over its environment variable); credentials or a CA given as flags without
 * --ksql-url are usage errors, while KSQL_API_KEY/KSQL_API_SECRET in the environment are then ignored
 * (the platform's own ksqlDB has no authentication).
 */
export function ksqlConnection(command: Command): KsqlConnection | undefined {
  const opts = command.optsWithGlobals() as { ksqlUrl?: string; ksqlApiKey?: string; ksqlApiSecret?: string; ksqlCa?: string };
  const fromCli = ['ksqlApiKey', 'ksqlApiSecret', 'ksqlCa'].filter((key) => command.getOptionValueSourceWithGlobals(key) === 'cli');
  if (!opts.ksqlUrl) {
    if (fromCli.length > 0) throw new UsageError(`${fromCli.map(flagOf).join(', ')} given without --ksql-url`, 'credentials and a CA are for a ksqlDB named with --ksql-url; the running platform\'s ksqlDB needs none');
    return undefined;
  }
  const apiKey = opts.ksqlApiKey || undefined;
  const apiSecret = opts.ksqlApiSecret || undefined;
  if (apiKey && !apiSecret) throw new UsageError('a ksqlDB API key without its secret: --ksql-api-secret is missing', 'give --ksql-api-secret, or set KSQL_API_SECRET');
  if (apiSecret && !apiKey) throw new UsageError('a ksqlDB API secret without its key: --ksql-api-key is missing', 'give --ksql-api-key, or set KSQL_API_KEY');
  if (opts.ksqlCa && new URL(opts.ksqlUrl).protocol !== 'https:') {
    throw new UsageError(`--ksql-ca is for an https:// --ksql-url, got ${opts.ksqlUrl}`, 'use https:// to reach a ksqlDB with TLS, or leave --ksql-ca out');
  }
  return {
    url: opts.ksqlUrl,
    credentials: apiKey && apiSecret ? { apiKey, apiSecret } : undefined,
    ca: opts.ksqlCa === undefined ? undefined : readFileSync(opts.ksqlCa, 'utf8'),
  };
}

function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Checked when parsed: a typo used to pass until the first request and read as "cannot reach ksqlDB" (exit 1). */
function httpUrl(text: string): string {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new InvalidArgumentError(`expected an http:// or https:// URL such as http://localhost:8088, got '${text}'`);
  // Not commander's InvalidArgumentError, which would print the URL, and with it the password.
  if (url.username || url.password) throw new UsageError('--ksql-url carries credentials', 'give them as --ksql-api-key and --ksql-api-secret (or KSQL_API_KEY and KSQL_API_SECRET), not in the URL');
  return text;
}
