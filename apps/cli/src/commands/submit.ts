import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { formatDryRun } from '../format-quota';
import { loadSpecFile } from '../spec-file';
import { overrideOptions } from '../override-options';
import { applyOverrides } from '../set-override';

export function registerSubmit(program: Command, ctx: CommandContext): void {
  const command = program
    .command('submit')
    .description('submit a training job from a spec file, with --set overrides; prints the new job id')
    .argument('<file>', 'job spec, YAML or JSON; a relative algorithm.codeDir is taken relative to this file')
    .option('--dry-run', 'submit nothing: say whether and where it would be placed now, or every reason it would wait and the estimate');
  // The file with overrides (as yard copy takes them); the API checks the result field by field.
  const overrides = overrideOptions(command, 'spec.priority=2 or metadata.experiment=sweep');
  command.action(
    ctx.action(async (cmd, file: string, opts: { dryRun?: boolean }) => {
      const spec = applyOverrides(await loadSpecFile(file, ctx.env.cwd), overrides);
      if (opts.dryRun) {
        const verdict = await ctx.client(cmd).dryRun(spec);
        ctx.print(cmd, verdict, () => formatDryRun(verdict));
        return;
      }
      const job = await ctx.client(cmd).submitJob(spec);
      ctx.print(cmd, job, () => `${job.id}\n`);
    }),
  );
}
