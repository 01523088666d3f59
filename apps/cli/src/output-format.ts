import { InvalidArgumentError } from 'commander';
import { stringify } from 'yaml';

/**
 * `-o json|yaml|wide` (kubectl's names; `table` is the default): how a command prints its answer.
 * `json` and `yaml` are the API's answer untouched, so scripts read the documented wire shapes
 * (`/openapi.json`); `wide` is the table with more columns, or the table where a command has no more.
 */
export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Commander parser of `-o`: a usage error (exit 2) naming the choices. */
export function outputFormat(value: string): OutputFormat {
  const format = value.trim().toLowerCase();
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new InvalidArgumentError(`expected one of ${OUTPUT_FORMATS.join(', ')}`);
  return format as OutputFormat;
}

/** The renderings of one answer; `wide` falls back to `table`. */
export interface Renderings {
  table: () => string;
  wide?: () => string;
}

/** The whole answer in `format`: JSON with two-space indents, YAML as one document, or the rendering. */
export function renderOutput(format: OutputFormat, data: unknown, views: Renderings): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(data, null, 2)}\n`;
    case 'yaml':
      return toYaml(data);
    case 'wide':
      return (views.wide ?? views.table)();
    default:
      return views.table();
  }
}

/**
 * One item of a stream (a followed log line or event): one JSON line (NDJSON), or one YAML document
 * introduced by `---`, so either output is a valid stream for `jq` / a YAML reader; `null` for the
 * table and wide formats, which the caller renders itself.
 */
export function renderStreamItem(format: OutputFormat, item: unknown): string | null {
  if (format === 'json') return `${JSON.stringify(item)}\n`;
  if (format === 'yaml') return `---\n${toYaml(item)}`;
  return null;
}

/**
 * YAML of a JSON value. Plain keys and strings are written as YAML 1.2 core schema would read them
 * back (strings like `yes`, `1e3` or `null` come out quoted), no anchors for repeated objects, and no
 * line folding, so a long message stays on one line.
 */
export function toYaml(data: unknown): string {
  return stringify(data === undefined ? null : data, { aliasDuplicateObjects: false, lineWidth: 0, version: '1.2' });
}
