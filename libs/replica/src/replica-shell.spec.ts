import type { NatsConnection } from '@nats-io/transport-node';
import { event, Subjects, type StoredCommit } from '@trainyard/contracts';
import { InMemoryEventLog } from '@trainyard/event-log';
import { describe, expect, it } from 'vitest';
import { type ReplicaControl, type ReplicaPolicy, ReplicaShell } from './replica-shell';

const append = (log: InMemoryEventLog, i: number) =>
  log.append(Subjects.job('j1'), [event('JobQueued', '2026-01-01T00:00:00.000Z', { priority: i })], { commandId: `c${i}`, correlationId: 'x', actor: 't' }, 'any');

/** Records what it folded and what each pass saw. */
class Recorder implements ReplicaPolicy {
  folded: number[] = [];
  passes: number[][] = [];
  apply(c: StoredCommit): void {
    this.folded.push(c.seq);
  }
  async pass(): Promise<void> {
    this.passes.push([...this.folded]);
  }
}

const until = async (probe: () => boolean) => {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(probe()).toBe(true);
};

// A shell without a lease never touches NATS.
const noNats = {} as NatsConnection;

describe('replica shell', () => {
  it('replica shell - folds the whole log before the first pass, then passes on every new commit', async () => {
    const log = new InMemoryEventLog();
    for (let i = 1; i <= 3; i++) await append(log, i);
    const policy = new Recorder();
    const shell = new ReplicaShell(noNats, log, policy, { role: 't', lease: false, tickMs: 60_000, id: 't-1', say: () => undefined });
    const gate: boolean[] = [];
    shell.onChange((open) => gate.push(open));
    await shell.start();
    expect(shell.position).toBe(3);
    expect([shell.isLeader(), shell.isOpen(), gate]).toEqual([true, true, [true]]);
    await until(() => policy.passes.length > 0);
    expect(policy.passes.every((p) => p.length >= 3)).toBe(true);

    const { seq } = await append(log, 4);
    expect(await shell.caughtUpTo(seq)).toBe(true);
    await until(() => policy.passes.some((p) => p.includes(seq)));

    await shell.stop();
    expect([shell.isLeader(), gate.at(-1)]).toEqual([false, false]);
    const passes = policy.passes.length;
    await append(log, 5);
    await new Promise((r) => setTimeout(r, 30));
    expect(policy.passes.length).toBe(passes);
  });

  it('replica shell - a pass that fails is reported and the next commit runs another', async () => {
    const log = new InMemoryEventLog();
    const said: string[] = [];
    let calls = 0;
    const policy: ReplicaPolicy = {
      apply: () => undefined,
      pass: async (r: ReplicaControl) => {
        calls++;
        if (calls === 1) throw new Error(`boom at ${r.id}`);
      },
    };
    const shell = new ReplicaShell(noNats, log, policy, { role: 't', lease: false, tickMs: 60_000, id: 't-2', say: (m) => said.push(m) });
    await shell.start();
    await append(log, 1);
    await until(() => calls >= 2);
    expect(said).toContain('pass failed: boom at t-2');
    await shell.stop();
  });
});
