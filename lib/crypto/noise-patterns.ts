/**
 * Handshake patterns, written as the Noise spec writes them: the one-way patterns (§7.4), the
 * fundamental interactive ones (§7.5) and the deferred ones (§7.6), plus the `psk` modifier
 * (§9.2). Pre-messages come before `...`; messages are separated by `;`. The parser checks that
 * directions alternate starting with the initiator, so a typo here fails loudly.
 */

export type DhToken = 'ee' | 'es' | 'se' | 'ss';
export type Token = 'e' | 's' | DhToken | 'psk';

export type HandshakePattern = {
  /** As given, e.g. `XX` or `XXpsk3`. */
  name: string;
  /** Static keys each side is known to have before the handshake (only `s` in these patterns). */
  initiatorPreMessage: readonly 's'[];
  responderPreMessage: readonly 's'[];
  /** Message i is written by the initiator when i is even. */
  messages: readonly (readonly Token[])[];
  /** One-way patterns (§7.4) send a single message; transport then flows initiator → responder only. */
  oneWay: boolean;
  /** Any psk token present: then `e` tokens also MixKey (§9.2). */
  psk: boolean;
};

const PATTERNS: Readonly<Record<string, string>> = {
  // §7.4 one-way
  N: '<- s ... -> e, es',
  K: '-> s; <- s ... -> e, es, ss',
  X: '<- s ... -> e, es, s, ss',
  // §7.5 fundamental interactive
  NN: '-> e; <- e, ee',
  NK: '<- s ... -> e, es; <- e, ee',
  NX: '-> e; <- e, ee, s, es',
  XN: '-> e; <- e, ee; -> s, se',
  XK: '<- s ... -> e, es; <- e, ee; -> s, se',
  XX: '-> e; <- e, ee, s, es; -> s, se',
  KN: '-> s ... -> e; <- e, ee, se',
  KK: '-> s; <- s ... -> e, es, ss; <- e, ee, se',
  KX: '-> s ... -> e; <- e, ee, se, s, es',
  IN: '-> e, s; <- e, ee, se',
  IK: '<- s ... -> e, es, s, ss; <- e, ee, se',
  IX: '-> e, s; <- e, ee, se, s, es',
  // §7.6 deferred
  NK1: '<- s ... -> e; <- e, ee, es',
  NX1: '-> e; <- e, ee, s; -> es',
  X1N: '-> e; <- e, ee; -> s; <- se',
  X1K: '<- s ... -> e, es; <- e, ee; -> s; <- se',
  XK1: '<- s ... -> e; <- e, ee, es; -> s, se',
  X1K1: '<- s ... -> e; <- e, ee, es; -> s; <- se',
  X1X: '-> e; <- e, ee, s, es; -> s; <- se',
  XX1: '-> e; <- e, ee, s; -> es, s, se',
  X1X1: '-> e; <- e, ee, s; -> es, s; <- se',
  K1N: '-> s ... -> e; <- e, ee; -> se',
  K1K: '-> s; <- s ... -> e, es; <- e, ee; -> se',
  KK1: '-> s; <- s ... -> e; <- e, ee, se, es',
  K1K1: '-> s; <- s ... -> e; <- e, ee, es; -> se',
  K1X: '-> s ... -> e; <- e, ee, s, es; -> se',
  KX1: '-> s ... -> e; <- e, ee, se, s; -> es',
  K1X1: '-> s ... -> e; <- e, ee, s; -> se, es',
  I1N: '-> e, s; <- e, ee; -> se',
  I1K: '<- s ... -> e, es, s; <- e, ee; -> se',
  IK1: '<- s ... -> e, s; <- e, ee, se, es',
  I1K1: '<- s ... -> e, s; <- e, ee, es; -> se',
  I1X: '-> e, s; <- e, ee, s, es; -> se',
  IX1: '-> e, s; <- e, ee, se, s; -> es',
  I1X1: '-> e, s; <- e, ee, s; -> se, es',
};

const TOKENS: ReadonlySet<string> = new Set(['e', 's', 'ee', 'es', 'se', 'ss']);
const isToken = (word: string): word is Exclude<Token, 'psk'> => TOKENS.has(word);

function parseLine(line: string): { outgoing: boolean; tokens: Token[] } {
  const match = /^(->|<-)\s+(.*)$/.exec(line.trim());
  if (!match) throw new Error(`pattern line "${line}" has no direction`);
  const tokens = (match[2] ?? '').split(',').map((word) => word.trim());
  const checked = tokens.filter(isToken);
  if (checked.length !== tokens.length) throw new Error(`pattern line "${line}" has an unknown token`);
  return { outgoing: match[1] === '->', tokens: checked };
}

function parseBase(name: string, text: string): HandshakePattern {
  const [pre, body] = text.includes('...') ? text.split('...') : ['', text];
  const initiatorPreMessage: 's'[] = [];
  const responderPreMessage: 's'[] = [];
  for (const line of (pre ?? '').split(';').filter((l) => l.trim() !== '')) {
    const { outgoing, tokens } = parseLine(line);
    for (const token of tokens) {
      if (token !== 's') throw new Error(`pre-message token ${token} is not supported`);
      (outgoing ? initiatorPreMessage : responderPreMessage).push(token);
    }
  }
  const messages = (body ?? '').split(';').map((line, index) => {
    const { outgoing, tokens } = parseLine(line);
    if (outgoing !== (index % 2 === 0)) throw new Error(`pattern ${name}: message ${index} goes the wrong way`);
    return tokens;
  });
  return { name, initiatorPreMessage, responderPreMessage, messages, oneWay: messages.length === 1, psk: false };
}

/**
 * `XX`, `NNpsk0`, `XXpsk0+psk3`… or undefined for a name we do not know. §9.2: `psk0` goes at the
 * start of the first message, `pskN` at the end of message N.
 */
export function parsePattern(name: string): HandshakePattern | undefined {
  const match = /^([A-Z0-9]+?)((?:psk\d+)(?:\+psk\d+)*)?$/.exec(name);
  const baseText = match?.[1] === undefined ? undefined : PATTERNS[match[1]];
  if (!match?.[1] || baseText === undefined) return undefined;
  const base = parseBase(match[1], baseText);
  if (!match[2]) return { ...base, name };
  const positions = match[2].split('+').map((modifier) => Number(modifier.slice(3)));
  if (new Set(positions).size !== positions.length) return undefined;
  const messages = base.messages.map((tokens) => [...tokens]);
  for (const position of positions) {
    const target = messages[Math.max(0, position - 1)];
    if (!target) return undefined;
    if (position === 0) target.unshift('psk');
    else target.push('psk');
  }
  return { ...base, name, messages, psk: true };
}

/** Every pattern name the table knows (without psk modifiers). */
export const BASE_PATTERNS: readonly string[] = Object.keys(PATTERNS);

/** The messages one side writes: the initiator's are the even ones. */
export const ownMessages = (pattern: HandshakePattern, initiator: boolean): (readonly Token[])[] =>
  pattern.messages.filter((_, index) => index % 2 === (initiator ? 0 : 1));
