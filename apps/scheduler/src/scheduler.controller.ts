import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects } from '@trainyard/contracts';
import type { CommandContext } from '@trainyard/transport-jetstream';
import { SchedulerCommands } from './scheduler-commands';
import { SchedulerQueries } from './scheduler-queries';

/** `ty.cmd.scheduler.<verb>`: one handler per verb, all answered by {@link SchedulerCommands}. */
@Controller()
export class SchedulerController {
  constructor(
    @Inject(SchedulerCommands) private readonly commands: SchedulerCommands,
    @Inject(SchedulerQueries) private readonly queries: SchedulerQueries,
  ) {}

  @MessagePattern(Subjects.command('scheduler', 'submit'))
  submit(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle('submit', body, ctx);
  }

  @MessagePattern(Subjects.command('scheduler', 'stop'))
  stop(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle('stop', body, ctx);
  }

  @MessagePattern(Subjects.command('scheduler', 'delete'))
  delete(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle('delete', body, ctx);
  }

  @MessagePattern(Subjects.command('scheduler', 'priority'))
  priority(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle('priority', body, ctx);
  }

  /** Description, tags, experiment after creation (issue 18). */
  @MessagePattern(Subjects.command('scheduler', 'update'))
  update(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle('update', body, ctx);
  }

  /** A command run in a running task, recorded before the agent runs it (issue 15). */
  @MessagePattern(Subjects.command('scheduler', 'exec'))
  exec(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle('exec', body, ctx);
  }

  /** Would this job be placed now (issue 16)? Appends nothing. */
  @MessagePattern(Subjects.command('scheduler', 'dryRun'))
  dryRun(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.queries.dryRun(body, ctx);
  }

  /** The quotas' live usage (issue 16). */
  @MessagePattern(Subjects.command('scheduler', 'quotaUsage'))
  quotaUsage() {
    return this.queries.quotaUsage();
  }
}
