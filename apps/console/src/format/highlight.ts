/** Pieces of `text` with every case-insensitive occurrence of `query` marked, for `<mark>`. Pure. */
export function splitMatches(text: string, query: string): Array<{ text: string; match: boolean }> {
  if (!query) return [{ text, match: false }];
  const hay = text.toLowerCase();
  const needle = query.toLowerCase();
  const out: Array<{ text: string; match: boolean }> = [];
  let from = 0;
  for (let at = hay.indexOf(needle); at !== -1; at = hay.indexOf(needle, at + needle.length)) {
    if (at > from) out.push({ text: text.slice(from, at), match: false });
    out.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length || out.length === 0) out.push({ text: text.slice(from), match: false });
  return out;
}

export const countMatches = (text: string, query: string) => splitMatches(text, query).filter((p) => p.match).length;
