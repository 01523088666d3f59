import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ip, namespacePids } from './ip-command';
import { LEFTOVER_NAME, runPrefixesOf } from './network-plan';

/** Where each live run's owner file is: a tmpfs that, like namespaces, does not survive a reboot. */
export const OWNER_DIR = '/run/trainyard-netns';
export const ownerFile = (prefix: string) => join(OWNER_DIR, prefix);

/** Whether the run of `prefix` still has a living owner process. */
function ownerAlive(prefix: string): boolean {
  const file = ownerFile(prefix);
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function namespaces(): string[] {
  // `name (id: 3)` or `name`, one a line.
  return ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
}

function links(): string[] {
  // `7: tyn0a1b2v0@if6: <…>`: the name ends at '@' or ':'.
  return ip(['-o', 'link', 'show']).split('\n').map((l) => l.split(': ')[1]?.split('@')[0] ?? '').filter(Boolean);
}

/**
 * Kills every process in the run's namespaces and removes its namespaces, then its links (deleting
 * a namespace deletes the veth end in it and so the pair; the bridge goes last).
 */
export function tearDown(prefix: string): void {
  const mine = (n: string) => LEFTOVER_NAME.exec(n)?.[1] === prefix;
  const nss = namespaces().filter(mine);
  for (const ns of nss) {
    for (const pid of namespacePids(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
  for (const ns of nss) {
    try {
      ip(['netns', 'del', ns]);
    } catch {
      // Removed by someone else meanwhile.
    }
  }
  for (const link of links().filter(mine)) {
    try {
      ip(['link', 'del', link]);
    } catch {
      // A veth vanishes with its peer's namespace.
    }
  }
}

/** Tears down every earlier run whose owner process is gone; returns their prefixes. */
export function sweepLeftovers(): string[] {
  const stale = runPrefixesOf([...namespaces(), ...links()]).filter((p) => !ownerAlive(p));
  for (const prefix of stale) {
    tearDown(prefix);
    rmSync(ownerFile(prefix), { force: true });
  }
  return stale;
}
