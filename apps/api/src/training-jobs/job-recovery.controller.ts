import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, TrainyardError, type FailureAnalysis, type JobEventData } from '@trainyard/contracts';
import { policyOf } from '@trainyard/domain';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';

/**
 * `GET /v1/training-jobs/{id}/recovery`: the guide's "容错与恢复" / "故障恢复详情" (L7672-7683) — the
 * job's fault-tolerance settings, its restart count ("当前重启次数/最大重启次数"), every recovery
 * decision with the rule that fired, suspected hangs, and the failure analyses of its failed tasks.
 * Read from the job's events (the read model), like the events endpoint.
 *
 * @example
 * ```json
 * { "policy": { "autoRestart": true, "maxRestarts": 3, "unconditional": false, "hangRetry": false },
 *   "restarts": { "current": 1, "max": 3 },
 *   "history": [{ "time": "…", "attempt": 1, "rule": "isolating-reschedule", "action": "reschedule-job",
 *                 "fault": { "kind": "node-lost", "nodeId": "n2", "task": "worker-0" }, "restarts": { "current": 1, "max": 3 }, … }],
 *   "analyses": [] }
 * ```
 */
@Controller('v1/training-jobs')
export class JobRecoveryController {
  constructor(@Inject(READS) private readonly reads: ReadModel) {}

  @Get(':id/recovery')
  async recovery(@Param('id') id: string) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    check.done();
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    const events = await this.reads.listJobEvents(id);
    const { autoRestart, maxRestarts, unconditional, hangRetry, maxPodRestarts } = policyOf(job.spec);
    const history: Record<string, unknown>[] = [];
    const analyses: (FailureAnalysis & { task: string; attempt: number; time: string })[] = [];
    let restarts = autoRestart ? { current: 0, max: maxRestarts } : null;
    for (const e of events) {
      if (e.type === 'RecoveryDecided') {
        const d = e.data as JobEventData['RecoveryDecided'];
        restarts = d.restarts;
        history.push({ seq: e.seq, time: e.time, kind: 'decision', ...d, messageZh: e.messageZh });
      } else if (e.type === 'JobSuspectedHang') {
        const d = e.data as JobEventData['JobSuspectedHang'];
        history.push({ seq: e.seq, time: e.time, kind: 'suspected-hang', attempt: d.attempt, evidence: d.evidence, message: e.message, messageZh: e.messageZh });
      } else if (e.type === 'FailureAnalysed') {
        const d = e.data as JobEventData['FailureAnalysed'];
        analyses.push({ time: e.time, task: d.task, attempt: d.attempt, ...d.analysis });
      }
    }
    return {
      jobId: id,
      policy: { autoRestart, maxRestarts, unconditional, hangRetry, ...(maxPodRestarts !== undefined ? { maxPodRestarts } : {}) },
      restarts,
      history,
      analyses,
    };
  }
}
