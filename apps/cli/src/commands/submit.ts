import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { loadSpecFile } from '../spec-file';

export function registerSubmit(program: Command, ctx: CommandContext): void {
  program
    .command('submit')
    .description('submit a training job from a spec file; prints the new job id')
    .argument('<file>', 'job spec, YAML or JSON; a relative algorithm.codeDir is taken relative to this file')
    .action(
      ctx.action(async (cmd, file: string) => {
        const spec = await loadSpecFile(file, ctx.env.cwd);
        const job = await ctx.client(cmd).submitJob(spec);
        ctx.print(cmd, job, () => `${job.id}\n`);
      }),
    );
}
