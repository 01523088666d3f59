import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { storableText, type DeadLetterState } from '@trainyard/quarantine';
import type { ApiOptions } from '../api-options';
import { API_OPTIONS } from '../api.tokens';
import { ParamCheck } from '../system/query-params';
import { QUARANTINES, type Quarantines } from './quarantines';
import { Auth, type RequestAuth } from '../auth/request-auth';

const STATES: readonly (DeadLetterState | 'all')[] = ['quarantined', 'retried', 'dismissed', 'all'];

/** Dead letters for operators (`yard admin quarantine`): list, retry after a fix, dismiss. */
@Controller('v1/admin/quarantine')
export class QuarantineController {
  constructor(
    @Inject(QUARANTINES) private readonly quarantines: Quarantines,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  @Get()
  async list(@Query('state') rawState?: string, @Query('limit') rawLimit?: string) {
    const check = new ParamCheck();
    const state = check.oneOf('state', rawState, STATES) ?? 'quarantined';
    const limit = check.int('limit', rawLimit, { min: 1, max: 1000, fallback: 100 });
    check.done();
    return { items: await this.quarantines.list({ state, limit }) };
  }

  @Post(':id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string) {
    return this.quarantines.retry(id);
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  dismiss(@Auth() auth: RequestAuth, @Param('id') id: string, @Body() body?: { reason?: unknown }) {
    const reason = typeof body?.reason === 'string' && body.reason.trim() ? storableText(body.reason.trim()).slice(0, 500) : 'no reason given';
    return this.quarantines.dismiss(id, `${auth.principal.id}: ${reason}`);
  }
}
