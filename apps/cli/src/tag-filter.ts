import { InvalidArgumentError } from 'commander';

/**
 * Tags on the command line: `key=value` (or `key:value`, the API's filter spelling); a bare `key`
 * has the empty value. The first separator splits, so values may hold `=` and `:`.
 */
export interface Tag {
  key: string;
  value: string;
}

export function parseTag(text: string): Tag {
  const sep = text.search(/[=:]/);
  const key = (sep < 0 ? text : text.slice(0, sep)).trim();
  if (key === '') throw new InvalidArgumentError(`expected key=value, got ${JSON.stringify(text)}`);
  return { key, value: sep < 0 ? '' : text.slice(sep + 1) };
}

/** Several `--tag` values (already split at commas by `collect`) as the API's tag list. */
export function parseTags(texts: readonly string[]): Tag[] {
  return texts.map(parseTag);
}

/**
 * The `?tag=` filter of `yard jobs --tag`: `key:value` (the reference's spelling, which the native
 * API also reads), or `key` for any value.
 */
export function tagQuery(text: string): string {
  const sep = text.search(/[=:]/);
  const tag = parseTag(text);
  return sep < 0 ? tag.key : `${tag.key}:${tag.value}`;
}
