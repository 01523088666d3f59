import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary dirs for what tasks touch. Tasks run as their jobs' users (uid 1000 by default), not as
 * the test (root), and `mkdtemp` makes dirs only their owner may enter (0700).
 */

/** A dir tasks may pass but not list (0711): for agents' work dirs and data dirs above them. */
export function passableTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  return dir;
}

/** A dir tasks may read (0755): for code dirs and inputs. */
export function readableTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** A dir every task may write to (1777, like /tmp): for checkpoints and markers tasks leave for the test. */
export function writableTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o1777);
  return dir;
}
