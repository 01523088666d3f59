import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { copySpec } from '../copy-spec';
import { formatDryRun } from '../format-quota';
import { resourceId } from '../option-parsers';
import { renderOutput } from '../output-format';
import { overrideOptions } from '../override-options';

/** `yard copy ID --set spec.priority=2`: a new job from an existing one's spec, with overrides. */
export function registerCopy(program: Command, ctx: CommandContext): void {
  const command = program
    .command('copy')
    .description("submit a new job made from an existing job's spec with overrides (checked like submit); prints the new job id")
    .argument('<id>', 'the job to copy', resourceId)
    .option('--dry-run', 'submit nothing: say whether and where the copy would be placed now (as submit --dry-run)')
    .option('--print', 'submit nothing: print the spec the copy would submit (YAML, or JSON with -o json)');
  const overrides = overrideOptions(command, 'spec.priority=2, spec.resource.nodeCount=4, algorithm.parameters.lr.value=0.01');
  command.action(
    ctx.action(async (cmd, id: string) => {
      const client = ctx.client(cmd);
      const source = await client.getJob(id);
      const spec = copySpec(source.spec, overrides, id);
      const o = cmd.opts<{ dryRun?: boolean; print?: boolean }>();
      if (o.print) {
        ctx.env.stdout(renderOutput(ctx.format(cmd) === 'json' ? 'json' : 'yaml', spec, { table: () => '' }));
        return;
      }
      if (o.dryRun) {
        const verdict = await client.dryRun(spec);
        ctx.print(cmd, verdict, () => formatDryRun(verdict));
        return;
      }
      const job = await client.submitJob(spec);
      ctx.print(cmd, job, () => `${job.id}\n`);
    }),
  );
}
