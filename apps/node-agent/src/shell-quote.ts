/**
 * POSIX single-quoting: the result is one shell word whose value is exactly `value`. Inside single
 * quotes nothing is special except the closing quote, which is written as `'\''`.
 *
 * @example
 * shellQuote("it's $HOME") // `'it'\''s $HOME'`
 */
export function shellQuote(value: string): string {
  // execve arguments are C strings: a NUL would silently truncate the command.
  if (value.includes('\0')) throw new RangeError('a shell word cannot contain a NUL character');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
