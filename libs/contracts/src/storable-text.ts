/**
 * The text rule every contract input obeys: a string is accepted only if every store it may reach can
 * hold it exactly. PostgreSQL `text` and `jsonb` refuse U+0000 (`22P05`) and an unpaired UTF-16
 * surrogate (it has no UTF-8 encoding; `jsonb` refuses its `\ud800` escape too). Everything else —
 * tabs, newlines, other control characters, any other Unicode — is storable and must round-trip
 * through NATS and PostgreSQL unchanged.
 *
 * @example
 * ```ts
 * unstorableReason('python3 train.py')   // undefined
 * unstorableReason('a\u0000b')           // 'nul'
 * unstorableReason('\ud800')             // 'lone-surrogate'
 * ```
 */
export type UnstorableReason = 'nul' | 'lone-surrogate';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored, or undefined when it can. */
export function unstorableReason(s: string): UnstorableReason | undefined {
  if (s.includes('\u0000')) return 'nul';
  if (LONE_SURROGATE.test(s)) return 'lone-surrogate';
  return undefined;
}

/** True when `s` obeys the text rule (no U+0000, no unpaired surrogate). */
export const isStorableText = (s: string): boolean => unstorableReason(s) === undefined;

const UNSTORABLE_ALL = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `s` with every unstorable character replaced by U+FFFD. For text the platform writes itself about
 * input it did not check (an error message quoting a command, a line a process printed): a user's
 * input is refused instead, never rewritten.
 */
export function storableText(s: string): string {
  return isStorableText(s) ? s : s.replace(UNSTORABLE_ALL, '\uFFFD');
}

/** What a client is told about an unstorable string. */
export function describeUnstorable(reason: UnstorableReason): string {
  return reason === 'nul'
    ? 'contains the NUL character (U+0000), which cannot be stored'
    : 'contains an unpaired UTF-16 surrogate (not valid Unicode text), which cannot be stored';
}

/**
 * Length in UTF-8 bytes, the unit of file-system and kernel limits (PATH_MAX, NAME_MAX, argv).
 * An unpaired surrogate counts 3 bytes (such strings are refused anyway).
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
