import { decodePrincipal, PRINCIPAL_HEADER, specRefusalCode, TrainyardError, validateJobSpec, type CommandReply } from '@trainyard/contracts';
import { pendingJobFromSpec, specProject, type PastUsage, type QuotaUsage } from '@trainyard/scheduling';
import type { CommandContext } from '@trainyard/transport-jetstream';
import { checkAdmission } from './admission';
import { parseCommand } from './command-intake';
import type { DryRunVerdict } from './dry-run';
import type { SchedulerService } from './scheduler-service';

/**
 * Questions for the leader's live state that change nothing (issue 16): a dry run of a submission,
 * and the quotas' usage. They go through the same lease gate as commands, so the answer is the
 * state the planner acts on; the reply's `seq` is the log position that state includes.
 */
export class SchedulerQueries {
  constructor(private readonly scheduler: SchedulerService) {}

  /** `{ commandId, jobId, caller, spec }` as a submission: the spec is checked as submit checks it. */
  dryRun(raw: unknown, ctx: CommandContext): CommandReply<DryRunVerdict> {
    const { caller: bodyCaller, body } = parseCommand(raw, ctx.size);
    const principal = decodePrincipal(ctx.header(PRINCIPAL_HEADER));
    const permissions = principal?.permissions ?? bodyCaller.permissions;
    const v = validateJobSpec(body.spec, { permissions });
    if (!v.ok) throw new TrainyardError(specRefusalCode(v.errors), `job spec has ${v.errors.length} error(s)`, v.errors);
    // A job that can never fit would be refused at submit: the dry run says so the same way.
    checkAdmission(this.scheduler.state, body.spec, permissions);
    const project = specProject(v.spec);
    const job = pendingJobFromSpec('dry-run', v.spec, { queuedSeq: 0, ...(project ? { project } : {}) });
    const { jobId: _id, queuedSeq: _seq, ...rest } = job;
    return { ok: true, data: this.scheduler.dryRun(rest), seq: this.scheduler.state.position };
  }

  quotaUsage(): CommandReply<{ items: QuotaUsage[]; pastUsage: readonly PastUsage[] }> {
    return { ok: true, data: { items: [...this.scheduler.quotas.current()], pastUsage: this.scheduler.quotas.pastUsage() }, seq: this.scheduler.state.position };
  }
}
