/**
 * Secrets this process has read (passwords, private keys), so that the one error printer
 * (src/cli.ts) can blank them out whatever message a library built around them.
 */
const secrets = new Set<string>();

export function registerSecrets(values: Iterable<string>): void {
  for (const value of values) if (value !== '') secrets.add(value);
}

/** The text with every registered secret replaced by ***, longest first so that no part of one is left. */
export function redactSecrets(text: string): string {
  let redacted = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) redacted = redacted.split(secret).join('***');
  return redacted;
}
