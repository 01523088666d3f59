/**
 * 32-bit FNV-1a of the text's UTF-8 bytes: tiny and stable across processes and Node versions, for
 * deterministic command ids of batches and for spreading ports; not for anything secret.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}
