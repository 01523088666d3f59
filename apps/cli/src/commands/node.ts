import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatNodeAvailability } from '../format-recovery';
import { integerAtLeast, resourceId, text } from '../option-parsers';

/**
 * `yard node cordon|drain|uncordon <id>`: the operator's side of node isolation (fault manager).
 * cordon: nothing new is placed there, what runs keeps running; drain: also stops its tasks, which
 * their jobs' fault tolerance recovers elsewhere (a job without auto restart fails); uncordon: back in service.
 */
export function registerNode(program: Command, ctx: CommandContext): void {
  const node = program.command('node').description('take nodes out of service and back (cordon, drain, uncordon)');
  const verb = (name: 'cordon' | 'drain' | 'uncordon', description: string) => {
    const c = node.command(name).description(description).argument('<id>', 'node id', resourceId).option('--reason <text>', 'why (recorded with the node; ≤ 500 characters)', text(500));
    if (name === 'drain') c.option('--grace-ms <ms>', 'SIGTERM → SIGKILL delay for the node\'s tasks', integerAtLeast(0));
    c.action(
      ctx.action(async (cmd, id: string) => {
        const o = cmd.opts<{ reason?: string; graceMs?: number }>();
        const n = await ctx.client(cmd).operateNode(id, name, { ...(o.reason ? { reason: o.reason } : {}), ...(o.graceMs !== undefined ? { graceMs: o.graceMs } : {}) });
        ctx.print(cmd, n, () => formatNodeAvailability(n));
      }),
    );
  };
  verb('cordon', 'take a node out of service: no new work, running tasks stay');
  verb('drain', 'take a node out of service and move its tasks elsewhere');
  verb('uncordon', 'put a node back in service');
}
