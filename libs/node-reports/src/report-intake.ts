import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { type CommandReply, type ErrorBody, ErrorCode, Subjects, TrainyardError } from '@trainyard/contracts';
import type { RecordCheckpoint, RegisterNode, ReportTaskExited, ReportTaskPrecheck, ReportTaskStaging, ReportTaskStarted } from '@trainyard/domain';
import type { EventLog } from '@trainyard/event-log';
import { eventLogReporter } from './log-reporter';
import { parseReportRequest, type ReportRequest, type ReportVerb } from './report-request';

export interface ReportIntakeOptions {
  /** Queue group: every replica of the hosting service shares the reports. Default `report-intake`. */
  queue?: string;
  now?: () => Date;
  say?: (line: string) => void;
}

/**
 * The control plane's side of `ty.report.<nodeId>.<verb>` (docs/architecture.md, "A bus that trusts no
 * message"): node agents cannot write the event log; they send what they observed here, and this
 * decides it as the node the subject names and appends it. Any replica may answer: every append
 * carries the aggregate's expected sequence, so no lease is needed. Answers the command envelope:
 * `{ ok: true, data: ReportOutcome | TaskView }`, or an error body for a report it refused to read.
 */
export class ReportIntake {
  private sub?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    private readonly opts: ReportIntakeOptions = {},
  ) {}

  start(): void {
    this.sub ??= this.nc.subscribe(Subjects.reportsAll, {
      queue: this.opts.queue ?? 'report-intake',
      callback: (err, msg) => {
        if (err) return;
        const p = this.onReport(msg).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      },
    });
  }

  /** Stops taking reports and answers those in hand. */
  async stop(): Promise<void> {
    this.sub?.unsubscribe();
    this.sub = undefined;
    await Promise.allSettled([...this.inFlight]);
  }

  private async onReport(msg: Msg): Promise<void> {
    const reply = await this.answer(msg);
    try {
      msg.respond(JSON.stringify(reply));
    } catch (err) {
      this.opts.say?.(`${msg.subject}: reply not sent: ${(err as Error).message}`);
    }
  }

  private async answer(msg: Msg): Promise<CommandReply> {
    try {
      const at = Subjects.parseReport(msg.subject);
      if (!at) throw new TrainyardError(ErrorCode.ValidationFailed, `not a report subject: ${msg.subject}`);
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        throw new TrainyardError(ErrorCode.ValidationFailed, 'the report is not valid JSON');
      }
      const { verb, request } = parseReportRequest(at.nodeId, at.verb, raw, msg.data.length);
      return { ok: true, data: await this.decide(at.nodeId, verb, request), seq: 0 };
    } catch (err) {
      return { ok: false, error: errorBody(err) };
    }
  }

  private decide(nodeId: string, verb: ReportVerb, r: ReportRequest) {
    const reporter = eventLogReporter(this.log, nodeId, this.opts.now);
    const jobId = r.jobId!;
    switch (verb) {
      case 'register':
        return reporter.registerNode(r.data as RegisterNode['data'], r.commandId!);
      case 'started':
        return reporter.taskStarted(jobId, r.data as ReportTaskStarted['data'], r.cause);
      case 'exited':
        return reporter.taskExited(jobId, r.data as ReportTaskExited['data'], r.cause);
      case 'precheck':
        return reporter.taskPrecheck(jobId, r.data as ReportTaskPrecheck['data'], r.cause);
      case 'staging':
        return reporter.taskStaging(jobId, r.data as ReportTaskStaging['data'], r.cause);
      case 'checkpointed':
        return reporter.taskCheckpointed(jobId, r.data as RecordCheckpoint['data'], r.stamp!, r.cause);
      case 'view':
        return reporter.taskView(jobId, r.task!);
    }
  }
}

/** A refusal keeps its code; anything else is the control plane's trouble, worth a retry. */
function errorBody(err: unknown): ErrorBody {
  if (err instanceof TrainyardError) return { code: err.code, message: err.message, ...(err.details?.length ? { details: err.details } : {}) };
  return { code: ErrorCode.Unavailable, message: `report not stored: ${(err as Error)?.message ?? String(err)}` };
}
