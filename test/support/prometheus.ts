/**
 * Values of `name` in a Prometheus text body, from the lines whose labels include all of `match`
 * (`name{labels} value`, or `name value` for a metric without labels).
 */
export function samples(text: string, name: string, match: Record<string, string> = {}): number[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => Object.entries(match).every(([k, v]) => l.includes(`${k}="${v}"`)))
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
}
