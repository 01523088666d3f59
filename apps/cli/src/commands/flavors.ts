import type { Command } from 'commander';
import type { CatalogueFlavor } from '@trainyard/contracts';
import type { CommandContext } from '../command-context';
import { formatFlavorLine, formatFlavorsTable } from '../format-catalogue';
import { flavorId, integerAtLeast, positiveNumber, resourceId, text } from '../option-parsers';

interface SetOptions {
  pool: string;
  cpu: number;
  memory: number;
  gpu?: number;
  npu?: number;
  accelerator?: string;
  name?: string;
  maxNodes?: number;
}

/** `yard flavors`: the catalogue of named flavors per pool (list; operators: set, delete). */
export function registerFlavors(program: Command, ctx: CommandContext): void {
  const flavors = program.command('flavors').description("the flavor catalogue: named flavors per pool that specs name as spec.resource.flavorId (v2: flavor_id)");
  flavors
    .command('list', { isDefault: true })
    .description('list the catalogue (-o wide adds accelerator type and node limit)')
    .option('--pool <name>', 'only this pool', resourceId)
    .action(
      ctx.action(async (cmd) => {
        const page = await ctx.client(cmd).listFlavors(cmd.opts<{ pool?: string }>().pool);
        ctx.print(cmd, page, () => formatFlavorsTable(page.items), () => formatFlavorsTable(page.items, { wide: true }));
      }),
    );
  flavors
    .command('set')
    .description('define or replace a flavor of a pool (operators)')
    .argument('<id>', 'flavor id, e.g. cpu.2u4g or gpu.a100.1', flavorId)
    .option('--pool <name>', 'the pool whose nodes run it', resourceId, 'default')
    .requiredOption('--cpu <n>', 'vCPUs per instance (may be fractional)', positiveNumber)
    .requiredOption('--memory <MiB>', 'memory per instance in MiB', integerAtLeast(1))
    .option('--gpu <n>', 'GPUs per instance', integerAtLeast(0))
    .option('--npu <n>', 'NPUs per instance', integerAtLeast(0))
    .option('--accelerator <type>', "accelerator model, e.g. nvidia-a100 (must match the nodes')", text(64))
    .option('--name <text>', 'a name for people (default: the id)', text(128))
    .option('--max-nodes <n>', 'most instances a job of this flavor may ask for', integerAtLeast(1))
    .action(
      ctx.action(async (cmd, id: string) => {
        const o = cmd.opts<SetOptions>();
        const body: CatalogueFlavor = {
          id,
          pool: o.pool,
          ...(o.name ? { name: o.name } : {}),
          flavor: { cpu: o.cpu, memoryMiB: o.memory, ...(o.gpu !== undefined ? { gpu: o.gpu } : {}), ...(o.npu !== undefined ? { npu: o.npu } : {}), ...(o.accelerator ? { acceleratorType: o.accelerator } : {}) },
          ...(o.maxNodes !== undefined ? { maxNodeCount: o.maxNodes } : {}),
        };
        const saved = await ctx.client(cmd).putFlavor(body);
        ctx.print(cmd, saved, () => formatFlavorLine(saved));
      }),
    );
  flavors
    .command('delete')
    .description('remove a flavor from a pool (operators); jobs that named it keep their resolved flavor')
    .argument('<id>', 'flavor id', flavorId)
    .option('--pool <name>', 'its pool', resourceId, 'default')
    .action(
      ctx.action(async (cmd, id: string) => {
        const { pool } = cmd.opts<{ pool: string }>();
        await ctx.client(cmd).deleteFlavor(pool, id);
        ctx.print(cmd, { pool, id, deleted: true }, () => `flavor ${id} removed from pool ${pool}.\n`);
      }),
    );
}
