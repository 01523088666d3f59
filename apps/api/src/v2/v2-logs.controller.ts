import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import type { FastifyRequest } from 'fastify';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { LOG_READS, type LogReads } from '../training-jobs/log-reads';
import { checkProject } from './v2-project';

/** At most this much of a log's end is previewed, and at most this many lines. */
const PREVIEW_BYTES = 500 * 1024;
const PREVIEW_LINES = 2000;

/**
 * The v2 task log endpoints: ShowTrainingJobLogsPreview (the end of a task's latest attempt) and
 * ShowObsUrlOfTrainingJobLogs. There is no OBS here: the URL is this API's own download of the task log
 * (`/v1/training-jobs/{id}/tasks/{task}/logs/download`), which needs no temporary signature.
 */
@Controller('v2/:project_id/training-jobs/:training_job_id/tasks/:task_id/logs')
export class V2LogsController {
  constructor(
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(LOG_READS) private readonly logs: LogReads,
  ) {}

  @Get('preview')
  async preview(@Param('project_id') project: string, @Param('training_job_id') id: string, @Param('task_id') task: string) {
    await this.task(project, id, task);
    const attempt = await this.logs.lastAttempt(id, task);
    if (attempt === 0) return { content: '', current_size: 0, full_size: 0 };
    const lines = await this.logs.tail({ jobId: id, task, attempt, lines: PREVIEW_LINES });
    let content = lines.map((l) => `${l.text}\n`).join('');
    let bytes = Buffer.byteLength(content);
    if (bytes > PREVIEW_BYTES) {
      // Whole lines from the end, so the preview never starts in the middle of a character.
      const kept: string[] = [];
      let size = 0;
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = `${lines[i].text}\n`;
        if (size + Buffer.byteLength(line) > PREVIEW_BYTES) break;
        size += Buffer.byteLength(line);
        kept.unshift(line);
      }
      content = kept.join('');
      bytes = size;
    }
    const full = (await this.logs.attempts(id, task)).find((a) => a.attempt === attempt)?.bytes ?? bytes;
    return { content, current_size: bytes, full_size: Math.max(full, bytes) };
  }

  @Get('url')
  async url(@Param('project_id') project: string, @Param('training_job_id') id: string, @Param('task_id') task: string, @Req() req: FastifyRequest) {
    await this.task(project, id, task);
    return { obs_url: `${req.protocol}://${req.headers.host}/v1/training-jobs/${id}/tasks/${task}/logs/download` };
  }

  private async task(project: string, id: string, task: string) {
    checkProject(project);
    const check = new ParamCheck();
    check.matches('training_job_id', id, SUBJECT_TOKEN, 'a training job id');
    check.matches('task_id', task, /^worker-\d{1,4}$/, 'a task name like worker-0');
    check.done();
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    if (!job.tasks.some((t) => t.name === task)) throw new TrainyardError(ErrorCode.NotFound, `job ${id} has no task ${task}`);
  }
}
