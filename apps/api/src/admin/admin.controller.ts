import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { QUARANTINES, type Quarantines } from './quarantines';

@Controller('v1/admin')
export class AdminController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(QUARANTINES) private readonly quarantines: Quarantines,
  ) {}

  /**
   * Rebuilds every projection from the log into a scratch schema and compares it with the live tables.
   * `degraded` (with `quarantine`, every open dead letter) says the read models lack messages even
   * when a rebuild equals them: both skipped the same quarantined commits.
   */
  @Post('projections/verify')
  @HttpCode(200)
  async verify() {
    const result = await this.reads.verify();
    const quarantine = await this.quarantines.summary();
    return { ...result, degraded: quarantine.count > 0, quarantine };
  }
}
