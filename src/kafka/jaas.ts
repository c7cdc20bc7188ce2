/**
 * sasl.jaas.config, the one line of JAAS syntax Kafka's Java clients take:
 *   org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
 * Quoted values as Kafka's JaasConfig reads them (java.io.StreamTokenizer: single or double quotes,
 * backslash escapes). Nothing here puts the value in a message: it holds the password.
 */

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

export interface JaasLogin {
  loginModule: string;
  options: Record<string, string>;
}

/** The login module and its options, or a reason (never quoting the text) why it is not a JAAS line. */
export function parseJaasConfig(text: string): JaasLogin | { problem: string } {
  const tokens = tokenize(text.trim());
  if (tokens === undefined) return { problem: 'has an unterminated quoted value' };
  const [loginModule, flag, ...rest] = tokens;
  if (loginModule === undefined || !/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(loginModule)) return { problem: 'does not start with a login module class name' };
  if (!['required', 'requisite', 'sufficient', 'optional'].includes(flag ?? '')) return { problem: 'has no control flag (required) after the login module' };
  if (rest.at(-1) !== ';') return { problem: 'does not end with ;' };
  const options: Record<string, string> = {};
  const pairs = rest.slice(0, -1);
  for (let i = 0; i < pairs.length; i += 3) {
    const [name, equals, value] = pairs.slice(i, i + 3);
    if (name === undefined || equals !== '=' || value === undefined || value === ';') return { problem: 'has an option that is not name="value"' };
    options[name] = value;
  }
  return { loginModule, options };
}

/** Words, quoted strings (unquoted), '=' and ';' as separate tokens; undefined for an open quote. */
function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === ';') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      let value = '';
      for (i++; i < text.length && text[i] !== c; i++) value += text[i] === '\\' && i + 1 < text.length ? text[++i] : text[i];
      if (i >= text.length) return undefined;
      tokens.push(value);
      i++;
    } else {
      const word = /^[^\s=;"']+/.exec(text.slice(i))![0];
      tokens.push(word);
      i += word.length;
    }
  }
  return tokens;
}

/** The JAAS line for a username and password (from librdkafka's sasl.username/sasl.password). */
export function buildJaasConfig(loginModule: string, username: string, password: string): string {
  const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `${loginModule} required username=${quote(username)} password=${quote(password)};`;
}
