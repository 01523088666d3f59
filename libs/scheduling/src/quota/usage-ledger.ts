import type { PastUsage } from './quota-policy';

type Amounts = { cpu: number; memoryMiB: number; gpu: number; npu: number };
const DIMS = ['cpu', 'memoryMiB', 'gpu', 'npu'] as const;

interface Account {
  pool: string;
  project: string;
  /** Decayed average up to `at`. */
  past: Amounts;
  /** Held since `at`. */
  held: Amounts;
  at: number;
}

/**
 * Past usage per pool and project, folded from the log as holdings change (`QuotaPolicy.usage`):
 * the same exponentially decayed average as `decayUsage`, kept lazily per account — a change at
 * time t first decays what was held since the account's last change — so a fold costs O(1) per
 * change, whatever the number of projects, and every replica that folds the log has the same
 * numbers (a new leader continues fair share where the last one left it).
 *
 * @example
 * ```ts
 * ledger.change('a100', 'vision', { cpu: 8, memoryMiB: 0, gpu: 8, npu: 0 }, Date.parse(e.time)); // a job started
 * planGangs({ ...view, quotas: { quotas, usage: ledger.at(Date.now()) } });
 * ```
 */
export class UsageLedger {
  private readonly accounts = new Map<string, Account>();

  constructor(private readonly halfLifeMs: number) {}

  /** What `project` holds in `pool` changed by `delta` at `atMs`. */
  change(pool: string, project: string, delta: Partial<Amounts>, atMs: number): void {
    const k = `${pool}\u0000${project}`;
    const a = this.accounts.get(k) ?? { pool, project, past: zero(), held: zero(), at: atMs };
    this.accounts.set(k, a);
    a.past = this.decayed(a, atMs);
    a.at = Math.max(a.at, atMs);
    for (const d of DIMS) a.held[d] = Math.max(0, a.held[d] + (delta[d] ?? 0));
  }

  /** Every account's decayed usage at `nowMs` (those decayed to nothing and holding nothing left out). */
  at(nowMs: number): PastUsage[] {
    const out: PastUsage[] = [];
    for (const [k, a] of this.accounts) {
      const u = this.decayed(a, nowMs);
      const held = DIMS.some((d) => a.held[d] > 0);
      if (!held && DIMS.every((d) => u[d] <= 1e-9)) {
        this.accounts.delete(k);
        continue;
      }
      out.push({ project: a.project, pool: a.pool, ...u });
    }
    return out.sort((x, y) => x.pool.localeCompare(y.pool) || x.project.localeCompare(y.project));
  }

  private decayed(a: Account, nowMs: number): Amounts {
    const keep = this.halfLifeMs > 0 ? 2 ** (-Math.max(0, nowMs - a.at) / this.halfLifeMs) : 0;
    const u = zero();
    for (const d of DIMS) u[d] = a.past[d] * keep + a.held[d] * (1 - keep);
    return u;
  }
}

const zero = (): Amounts => ({ cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 });
