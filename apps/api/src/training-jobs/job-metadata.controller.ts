import { Body, Controller, HttpCode, Inject, Param, Patch } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, TrainyardError, validateJobUpdate } from '@trainyard/contracts';
import { API_OPTIONS, COMMANDS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { CommandClient } from '../command-client';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { idsFor } from './job-ids';
import { Auth, callerIn, commandPrincipal, type RequestAuth } from '../auth/request-auth';

/**
 * `PATCH /v1/training-jobs/{id}`: what may change after creation — description, tags (all of them)
 * and the experiment (null leaves it). Checked at the edge and again by the decider (`UpdateJobMetadata`).
 */
@Controller('v1/training-jobs')
export class JobMetadataController {
  constructor(
    @Inject(COMMANDS) private readonly commands: CommandClient,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
  ) {}

  @Patch(':id')
  @HttpCode(200)
  async update(@Auth() auth: RequestAuth, @Param('id') id: string, @Body() body: unknown) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    check.done();
    const r = validateJobUpdate(body);
    if (!r.ok) throw new TrainyardError(ErrorCode.ValidationFailed, `update has ${r.errors.length} error(s)`, r.errors);
    const { seq } = await this.commands.send('scheduler', 'update', { ...idsFor(undefined), jobId: id, caller: callerIn(auth), changes: r.update }, commandPrincipal(auth));
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return job;
  }
}
