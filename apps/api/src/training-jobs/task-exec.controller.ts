import type { NatsConnection } from '@nats-io/transport-node';
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, Subjects, TrainyardError, validateExecBody, type ExecReply, type ExecRequest } from '@trainyard/contracts';
import { API_OPTIONS, COMMANDS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import { Auth, callerIn, commandPrincipal, type RequestAuth } from '../auth/request-auth';
import type { CommandClient } from '../command-client';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { NATS } from '../system/system.tokens';
import { idsFor } from './job-ids';

/**
 * `POST /v1/training-jobs/{id}/tasks/{task}/exec` (issue 15, `yard exec`): runs a command in a running
 * task, as its user, in its working directory. The exec is committed first (`TaskExecRequested`, with
 * the caller's principal in the commit: the audit lists it), then the task's agent runs it on
 * `ty.exec.<node>` — a subject only the API may publish on — and its exit code and output come back.
 */
@Controller('v1/training-jobs')
export class TaskExecController {
  constructor(
    @Inject(COMMANDS) private readonly commands: CommandClient,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(NATS) private readonly nc: NatsConnection,
  ) {}

  @Post(':id/tasks/:task/exec')
  @HttpCode(200)
  async exec(@Auth() auth: RequestAuth, @Param('id') id: string, @Param('task') task: string, @Body() body: unknown) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    check.matches('task', task, SUBJECT_TOKEN, 'a task name');
    check.done();
    const v = validateExecBody(body);
    if (!v.ok) throw new TrainyardError(ErrorCode.ValidationFailed, `exec has ${v.errors.length} error(s)`, v.errors);
    const { seq } = await this.commands.send('scheduler', 'exec', { ...idsFor(undefined), jobId: id, task, command: v.command, caller: callerIn(auth) }, commandPrincipal(auth));
    await this.reads.waitFor(seq, this.options.readYourWritesTimeoutMs);
    const job = await this.reads.getJob(id);
    const t = job?.tasks.find((x) => x.name === task);
    if (!t?.nodeId) throw new TrainyardError(ErrorCode.IllegalState, `${task} of job ${id} has no node`);
    const request: ExecRequest = { jobId: id, task, attempt: t.attempt, command: v.command, timeoutMs: v.timeoutMs, by: auth.principal.id };
    let reply: ExecReply;
    try {
      const m = await this.nc.request(Subjects.exec(t.nodeId), JSON.stringify(request), { timeout: v.timeoutMs + 5_000 });
      reply = m.json<ExecReply>();
    } catch (err) {
      throw new TrainyardError(ErrorCode.Unavailable, `the agent of ${t.nodeId} did not answer the exec (${(err as Error).message})`);
    }
    if (!reply.ok) throw new TrainyardError(reply.error.code, reply.error.message, reply.error.details);
    const { ok: _ok, ...result } = reply;
    return { jobId: id, task, attempt: t.attempt, nodeId: t.nodeId, ...result };
  }
}
