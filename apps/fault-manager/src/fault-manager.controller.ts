import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import type { CommandContext } from '@trainyard/transport-jetstream';
import { Subjects } from '@trainyard/contracts';
import { FaultManagerCommands } from './fault-manager-commands';
import { FaultManagerVerbs } from './operator-commands';

/** `ty.cmd.fault-manager.<verb>`: operators' cordon, drain and uncordon. */
@Controller()
export class FaultManagerController {
  constructor(@Inject(FaultManagerCommands) private readonly commands: FaultManagerCommands) {}

  @MessagePattern(Subjects.command('fault-manager', FaultManagerVerbs.cordon))
  cordon(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle(FaultManagerVerbs.cordon, body, ctx);
  }

  @MessagePattern(Subjects.command('fault-manager', FaultManagerVerbs.drain))
  drain(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle(FaultManagerVerbs.drain, body, ctx);
  }

  @MessagePattern(Subjects.command('fault-manager', FaultManagerVerbs.uncordon))
  uncordon(@Payload() body: unknown, @Ctx() ctx: CommandContext) {
    return this.commands.handle(FaultManagerVerbs.uncordon, body, ctx);
  }
}
