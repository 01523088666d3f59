/** Timestamps leave the read models as ISO-8601 strings (what the HTTP API serves). */
export function iso(value: Date): string;
export function iso(value: Date | null): string | null;
export function iso(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
