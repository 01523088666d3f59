import { auditOf, ErrorCode, FieldCode, SUBJECT_TOKEN, Subjects, TRACEPARENT, TrainyardError, validateExecBody, type CommandReply, type CommitMeta } from '@trainyard/contracts';
import { rejectionBody, trainingJobDecider, type TrainingJobCommand } from '@trainyard/domain';
import { handleCommand, type EventLog } from '@trainyard/event-log';
import { inSpan, SpanKind } from '@trainyard/telemetry';
import { commandPrincipal, type CommandContext } from '@trainyard/transport-jetstream';
import { checkAdmission } from './admission';
import { parseCommand } from './command-intake';
import type { SchedulerService } from './scheduler-service';

/** The verbs of `ty.cmd.scheduler.<verb>`. */
export const SchedulerVerbs = ['submit', 'stop', 'delete', 'priority', 'update', 'exec'] as const;
export type SchedulerVerb = (typeof SchedulerVerbs)[number];

/**
 * Job commands (`ty.cmd.scheduler.*`), decided by the training-job decider on the job's own history
 * and committed with the command id as idempotency key. Admission is checked against the scheduler's
 * folded cluster state. The lease gate in front (the transport) lets only the leader get here.
 * A refusal is the decider's value, answered as an error envelope; bad input throws a TrainyardError.
 */
export class SchedulerCommands {
  constructor(
    private readonly log: EventLog,
    private readonly scheduler: SchedulerService,
    /** The bus is locked: a command must carry the API's principal header (commandPrincipal). */
    private readonly requirePrincipal = false,
  ) {}

  async handle(verb: SchedulerVerb, raw: unknown, ctx: CommandContext): Promise<CommandReply<{ jobId: string }>> {
    const parsed = parseCommand(raw, ctx.size);
    const { commandId, jobId, body } = parsed;
    // Who it acts for: the header the API set (issue 11), over whatever the body claims.
    const principal = commandPrincipal(ctx, this.requirePrincipal);
    const caller = principal ? { id: principal.id, permissions: principal.permissions } : parsed.caller;
    const command = this.toJobCommand(verb, jobId, caller, body);
    const state = this.scheduler.state;
    if (command.type === 'SubmitJob' && !state.jobs.has(jobId)) checkAdmission(state, body.spec, caller.permissions);
    const header = ctx.header('traceparent');
    const parent = (body.traceparent as string | undefined) ?? (header && TRACEPARENT.test(header) ? header : undefined);
    const result = await inSpan('trainyard.scheduler', `scheduler ${verb}`, parent, { 'trainyard.job_id': jobId }, (traceparent) =>
      handleCommand({
        log: this.log,
        subject: Subjects.job(jobId),
        initialState: trainingJobDecider.initialState(),
        evolve: trainingJobDecider.evolve,
        decide: (s) => trainingJobDecider.decide(command, s),
        meta: { ...meta(commandId, caller.id, traceparent), ...(principal && auditOf(principal) ? { audit: auditOf(principal) } : {}) },
      }), SpanKind.SERVER);
    if (!result.ok) return { ok: false, error: rejectionBody(result.rejection) };
    if (result.state.status === 'none') throw new TrainyardError(ErrorCode.NotFound, `no training job ${jobId}`);
    return { ok: true, data: { jobId }, seq: result.seq };
  }

  private toJobCommand(verb: SchedulerVerb, jobId: string, caller: { id: string; permissions: string[] }, body: Record<string, unknown>): TrainingJobCommand {
    const metadata = { now: this.scheduler.clock().toISOString() };
    switch (verb) {
      case 'submit':
        return { type: 'SubmitJob', data: { jobId, spec: body.spec as never, createdBy: caller.id, permissions: caller.permissions }, metadata };
      case 'stop':
        return { type: 'StopJob', data: { by: caller.id, reason: 'user' }, metadata };
      case 'delete':
        return { type: 'DeleteJob', data: { by: caller.id }, metadata };
      case 'priority':
        return { type: 'ChangePriority', data: { to: body.priority as number, by: caller.id, permissions: caller.permissions }, metadata };
      case 'update':
        return { type: 'UpdateJobMetadata', data: { changes: body.changes, by: caller.id }, metadata };
      case 'exec': {
        // The API checked the body (validateExecBody); here only what the decider needs, re-checked.
        const v = validateExecBody({ command: body.command });
        if (!v.ok) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid exec command', v.errors);
        if (typeof body.task !== 'string' || !SUBJECT_TOKEN.test(body.task)) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid task', [{ path: 'task', code: FieldCode.InvalidFormat, message: 'a task name' }]);
        return { type: 'RecordExec', data: { task: body.task, command: v.command, by: caller.id }, metadata };
      }
    }
  }
}

function meta(commandId: string, actor: string, traceparent?: string): CommitMeta {
  return { commandId, correlationId: commandId, actor, ...(traceparent ? { traceparent } : {}) };
}
