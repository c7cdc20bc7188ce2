import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';

/** The page's own files: dashboard/ at the top of the package. */
export const PAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../dashboard');
/** uPlot's dist/, wherever npm put the package. */
export const VENDOR_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/**
 * A file name as a URL gives it: one plain name, no directories, nothing hidden. Anything else
 * (`..`, `%2f`, a backslash) is refused before the file system is asked, so no path leaves `dir`.
 */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Serves `name` from `dir`; false when there is no such file (the caller answers 404). */
export async function serveFile(res: ServerResponse, dir: string, name: string, head = false): Promise<boolean> {
  if (!SAFE_NAME.test(name) || name.includes('..')) return false;
  let body: Buffer;
  try {
    body = await readFile(join(dir, name));
  } catch {
    return false;
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // The page and edge-ml change together: revalidate, so an upgrade never mixes old and new files.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(head ? undefined : body);
  return true;
}
