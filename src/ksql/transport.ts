import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { EdgeMlError, errorMessage } from '../errors.js';

export interface SendInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/**
 * One HTTP/1.1 request to ksqlDB over node:http or node:https, answered as a web Response.
 * Not fetch: Node's fetch cannot trust a private CA per request without undici's Agent, which is
 * not a dependency; an https.Agent carrying the --ksql-ca PEM can.
 */
export class Transport {
  private readonly agent: HttpsAgent | undefined;

  /** `ca`: PEM certificates to trust for https (beside Node's own and NODE_EXTRA_CA_CERTS). */
  constructor(ca?: string) {
    this.agent = ca === undefined ? undefined : new HttpsAgent({ ca, keepAlive: true });
  }

  async send(target: string, init: SendInit): Promise<Response> {
    const url = new URL(target);
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const options = { method: init.method, headers, signal: init.signal };
    try {
      const message = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = url.protocol === 'https:' ? httpsRequest(url, { ...options, agent: this.agent }, resolve) : httpRequest(url, options, resolve);
        req.on('error', reject);
        req.end(init.body);
      });
      return toResponse(message);
    } catch (err) {
      throw connectionError(target, err, init.signal);
    }
  }
}

/** Statuses whose Response must have no body (the Response constructor throws otherwise). */
const NULL_BODY = new Set([204, 205, 304]);

function toResponse(message: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const one of Array.isArray(value) ? value : [value ?? '']) headers.append(name, one);
  }
  const status = message.statusCode ?? 500;
  const body = NULL_BODY.has(status) ? null : (Readable.toWeb(message) as ReadableStream<Uint8Array>);
  if (body === null) message.resume();
  return new Response(body, { status, statusText: message.statusMessage, headers });
}

/** Certificate verification failures (OpenSSL's codes, as Node reports them). */
const UNTRUSTED = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/;

/** A refused, reset, timed-out or untrusted connection, as an error that says which URL and what to check. */
function connectionError(target: string, err: unknown, signal: AbortSignal): EdgeMlError {
  const code = (err as { code?: string }).code ?? '';
  const tls = (what: string, hint: string): EdgeMlError => new EdgeMlError(`TLS to ksqlDB at ${target} failed: ${what} (${code}: ${errorMessage(err)})`, hint);
  if (UNTRUSTED.test(code)) {
    return tls(
      "its certificate is not trusted",
      "give the CA that signed ksqlDB's certificate with --ksql-ca FILE (PEM), or set NODE_EXTRA_CA_CERTS=FILE",
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return tls(
      `its certificate is not for ${new URL(target).hostname}`,
      'use in --ksql-url a host name the certificate names (--ksql-ca cannot fix this: the name, not the CA, is wrong)',
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') {
    return tls('the server does not speak TLS on that port', 'use http:// for a ksqlDB without TLS, or the port of its https listener');
  }
  const timedOut = signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
  const what = timedOut
    ? 'no answer in time'
    : code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND'
        ? 'unknown host'
        : code === 'ECONNRESET'
          ? 'connection reset'
          : errorMessage(err);
  return new EdgeMlError(
    `cannot reach ksqlDB at ${target}: ${what}`,
    'check that the platform is up (`edge-ml status`) and that the ksqlDB URL and port are the ones `edge-ml up` used',
  );
}
