import { spawn } from 'node:child_process';

/** Opens `url` in the desktop's browser where an opener exists; a missing one is not an error. */
export function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}
