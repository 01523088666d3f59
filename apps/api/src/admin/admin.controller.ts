import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';

@Controller('v1/admin')
export class AdminController {
  constructor(@Inject(READS) private readonly reads: ReadModel) {}

  /** Rebuilds every projection from the log into a scratch schema and compares it with the live tables. */
  @Post('projections/verify')
  @HttpCode(200)
  verify() {
    return this.reads.verify();
  }
}
