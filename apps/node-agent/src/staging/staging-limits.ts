/**
 * The guide's size limits of what is staged (V9-V11), checked against the store's listing before a
 * byte is copied: a job over a limit fails at once naming its field, not after 10 GB came down.
 */
export interface StagingLimits {
  totalBytes: number;
  files: number;
  fileBytes: number;
  /** Directory depth below the prefix (code dirs only). */
  depth?: number;
}

const GB = 2 ** 30;
const MB = 2 ** 20;

/** Code dir: ≤ 5 GB, ≤ 1000 entries, depth ≤ 32 (V9, L1467-1469). */
export const CODE_LIMITS: StagingLimits = { totalBytes: 5 * GB, files: 1000, fileBytes: 5 * GB, depth: 32 };
/** Inputs: ≤ 10 GB, ≤ 1000 files, each ≤ 1 GB (V10, L1543-1592). */
export const INPUT_LIMITS: StagingLimits = { totalBytes: 10 * GB, files: 1000, fileBytes: GB };
/** Outputs: ≤ 1 GB, ≤ 128 files, each ≤ 128 MB (V11, L1595-1654); also what a pre-download brings back. */
export const OUTPUT_LIMITS: StagingLimits = { totalBytes: GB, files: 128, fileBytes: 128 * MB };

/** One object (or local file) of a listing: its key relative to the prefix, and its size. */
export interface ListedFile {
  key: string;
  size: number;
}

/**
 * The first limit `files` break, as a sentence for the job's event; undefined when they fit. Pure.
 *
 * @example
 * exceededLimit([{ key: 'a', size: 2 * 2 ** 30 }], INPUT_LIMITS) // 'a is 2.0 GB, more than the 1.0 GB a file may have'
 */
export function exceededLimit(files: readonly ListedFile[], limits: StagingLimits): string | undefined {
  if (files.length > limits.files) return `${files.length} files, more than the ${limits.files} allowed`;
  const big = files.find((f) => f.size > limits.fileBytes);
  if (big) return `${big.key} is ${size(big.size)}, more than the ${size(limits.fileBytes)} a file may have`;
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > limits.totalBytes) return `${size(total)} in all, more than the ${size(limits.totalBytes)} allowed`;
  if (limits.depth !== undefined) {
    const deep = files.find((f) => f.key.split('/').length - 1 > limits.depth!);
    if (deep) return `${deep.key} is ${deep.key.split('/').length - 1} directories deep, more than the ${limits.depth} allowed`;
  }
  return undefined;
}

function size(bytes: number): string {
  return bytes >= GB ? `${(bytes / GB).toFixed(1)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}
