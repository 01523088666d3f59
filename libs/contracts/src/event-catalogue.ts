import type { DomainEvent, EventType, JobWaitReason } from './events';

/**
 * The human text of every event: the guide's Chinese message (`ch14-management.md` §1) and an
 * English rendering. Events the guide does not name (marked `line: undefined`) carry our own text.
 */
export interface EventText {
  en: string;
  zh: string;
  /** Line of `modelarts-training-guide.zh.txt` the Chinese text is copied from. */
  line?: number;
}

type Texts = { [K in EventType]: (e: DomainEvent<K>) => EventText };

const task = (t: string) => `[${t}] `;

const TEXTS: Texts = {
  JobCreated: () => ({ en: 'Training job created successfully', zh: '训练作业创建成功', line: 9934 }),
  JobQueued: (e) =>
    e.data.requeue
      ? {
          en: `Training job queued, waiting for resource allocation (re-queued at first priority after ${e.data.requeue})`,
          zh: `训练作业已排队，正在等待资源分配（${e.data.requeue === 'preemption' ? '被抢占' : '故障恢复'}后以第一优先级重新排队）`,
          line: 9940,
        }
      : { en: 'Training job queued, waiting for resource allocation', zh: '训练作业已排队，正在等待资源分配', line: 9940 },
  JobScheduled: (e) => ({
    en: `Training job scheduled (attempt ${e.data.attempt}) on ${[...new Set(e.data.placements.map((p) => p.nodeId))].join(', ')}`,
    zh: `训练作业已调度（第 ${e.data.attempt} 次）`,
  }),
  JobStarted: () => ({ en: 'Training job started running', zh: '训练作业开始运行', line: 9943 }),
  TaskStarted: (e) => ({ en: `${task(e.data.task)}Training job started running`, zh: `${task(e.data.task)}训练作业开始运行`, line: 9997 }),
  TaskExited: (e) => {
    const why = exitDetail(e.data);
    return {
      en: `${task(e.data.task)}Training ended, exit code ${e.data.exitCode ?? e.data.signal ?? 'unknown'}${why ? ` (${why})` : ''}`,
      zh: `${task(e.data.task)}训练结束，退出码 ${e.data.exitCode ?? e.data.signal ?? '未知'}${why ? `（${why}）` : ''}`,
      line: 10001,
    };
  },
  TaskCodeDownloadFailed: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Training code download failed, reason: ${e.data.field}: ${e.data.reason}`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 训练代码下载失败，失败原因：${e.data.field}: ${e.data.reason}`,
    line: 9971,
  }),
  TaskInputDownloaded: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Training input (parameter name: ${e.data.name}) download completed`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 训练输入（参数名称：${e.data.name}）下载完成`,
    line: 9973,
  }),
  TaskInputDownloadFailed: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Training input (parameter name: ${e.data.name}) download failed, reason: ${e.data.reason}`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 训练输入（参数名称：${e.data.name}）下载失败，失败原因：${e.data.reason}`,
    line: 9975,
  }),
  TaskOutputUploaded: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Training output (parameter name: ${e.data.name}) upload completed`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 训练输出（参数名称：${e.data.name}）上传完成`,
    line: 9977,
  }),
  TaskOutputPrefetched: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Training output (${e.data.name}) prefetched successfully`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 训练输出（${e.data.name}）预取成功`,
    line: 9979,
  }),
  TaskPrecheckCompleted: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Environment pre-check initialisation completed`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 初始化环境预检完成`,
    line: 9963,
  }),
  TaskPrecheckAbnormal: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Pre-check item failed, abnormal: ${precheckDetail(e.data, 'en')}`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 检测项预检未通过，异常：${precheckDetail(e.data, 'zh')}`,
    line: 9965,
  }),
  TaskPrecheckError: (e) => ({
    en: `${task(e.data.task)}[elapsed: ${e.data.elapsedSeconds} s] Pre-check item failed, error: ${precheckDetail(e.data, 'en')}`,
    zh: `${task(e.data.task)}[耗时：${e.data.elapsedSeconds} 秒] 检测项预检未通过，错误：${precheckDetail(e.data, 'zh')}`,
    line: 9967,
  }),
  JobSucceeded: () => ({ en: 'Training job ran successfully', zh: '训练作业运行成功', line: 9945 }),
  JobFailed: (e) =>
    // J05 (L9942): a job re-queued after a run that found no room in time failed to queue (L7558-7559).
    e.data.reason === 'requeue-timeout'
      ? { en: `Training job queuing failed${e.data.message ? `: ${e.data.message}` : ''}`, zh: `训练作业排队失败${e.data.message ? `：${e.data.message}` : ''}`, line: 9942 }
      : e.data.message
      ? { en: `Training job run failed: ${e.data.message}`, zh: `训练作业运行失败：${e.data.message}`, line: 9947 }
      : { en: 'Training job run failed', zh: '训练作业运行失败', line: 9947 },
  JobAbnormal: (e) =>
    e.data.reason === 'preparation-timeout'
      ? {
          en: 'Preparation stage timed out. Possible cause: cross-region algorithm synchronisation or shared-storage creation timed out',
          zh: '准备阶段超时。可能原因是跨区域算法同步或者创建共享存储超时',
          line: 9938,
        }
      : { en: `Training job abnormal: ${e.data.message ?? e.data.reason}`, zh: `训练作业异常：${e.data.message ?? e.data.reason}` },
  JobStopRequested: () => ({ en: 'Training job stopping', zh: '训练作业终止中' }),
  JobTerminated: (e) =>
    e.data.reason === 'max-run-time'
      ? {
          en: `Training job was terminated (maximum run duration: ${e.data.maxRunHours} h)`,
          zh: `训练作业已被终止（最大运行时长：${e.data.maxRunHours} h）`,
          line: 9957,
        }
      : { en: 'Training job was manually terminated', zh: '训练作业已被手动终止', line: 9955 },
  JobPriorityChanged: (e) => ({
    en: `Training job priority changed from ${e.data.from} to ${e.data.to}`,
    zh: `训练作业优先级由 ${e.data.from} 调整为 ${e.data.to}`,
  }),
  JobMetadataUpdated: (e) => {
    const what = [e.data.description !== undefined && 'description', e.data.tags !== undefined && 'tags', e.data.experiment !== undefined && 'experiment'].filter(Boolean);
    const zh: Record<string, string> = { description: '描述', tags: '标签', experiment: '实验' };
    return { en: `Training job ${what.join(', ')} changed`, zh: `训练作业${what.map((w) => zh[w as string]).join('、')}已修改` };
  },
  JobPreempted: (e) => ({
    en: e.data.reclaim
      ? `Training job was preempted by job ${e.data.by}: its project takes back the quota it lent`
      : `Training job was preempted by job ${e.data.by} (priority ${e.data.byPriority})`,
    zh: `训练作业被抢占（抢占作业：${e.data.by}）`,
    line: 9949,
  }),
  TaskExecRequested: (e) => ({ en: `${task(e.data.task)}command run by ${e.data.by}: ${e.data.command.join(' ')}`, zh: `${task(e.data.task)}${e.data.by} 执行命令：${e.data.command.join(' ')}` }),
  TaskCheckpointed: (e) => ({ en: `${task(e.data.task)}checkpoint written`, zh: `${task(e.data.task)}检查点已保存` }),
  PreemptionCycleStopped: (e) => ({
    en: `Preemption of job ${e.data.victim} not done: it preempted this job less than ${Math.round(e.data.windowMs / 60_000)} min ago`,
    zh: `未抢占作业 ${e.data.victim}：它在 ${Math.round(e.data.windowMs / 60_000)} 分钟内抢占过本作业`,
  }),
  JobWaiting: (e) => ({ en: `Training job waiting: ${describeWaitReason(e.data.reason)}`, zh: `训练作业等待中：${describeWaitReason(e.data.reason)}` }),
  JobDeletionRequested: () => ({ en: 'Training job deleting', zh: '训练作业删除中' }),
  JobDeleted: () => ({ en: 'Training job was manually deleted', zh: '训练作业已被手动删除', line: 9959 }),
  NodeRegistered: (e) => ({ en: `Node ${e.data.nodeId} registered in pool ${e.data.pool}`, zh: `节点 ${e.data.nodeId} 已注册` }),
  TaskAssigned: (e) => ({ en: `${task(e.data.task)}assigned (attempt ${e.data.attempt})`, zh: `${task(e.data.task)}已分配` }),
  TaskStopRequested: (e) => ({ en: `${task(e.data.task)}stop requested: ${e.data.reason}`, zh: `${task(e.data.task)}请求停止` }),
  RecoveryDecided: (e) => ({
    en: `Fault recovery: ${e.data.message} (rule ${e.data.rule}; restarts ${e.data.restarts.current}/${e.data.restarts.max})`,
    zh: `故障恢复：${RECOVERY_ACTION_ZH[e.data.action]}（规则 ${e.data.rule}；重启次数 ${e.data.restarts.current}/${e.data.restarts.max}）`,
  }),
  JobRestarted: (e) => ({
    en: `Training job restarted (${e.data.mode}${e.data.tasks.length ? `: ${e.data.tasks.join(', ')}` : ''}; restarts ${e.data.restarts.current}/${e.data.restarts.max})`,
    zh: '训练作业已重启',
    line: 9953,
  }),
  JobSuspectedHang: () => ({
    en: 'The system detected that your job is suspected to be hung; please go to the job details page to check and handle it',
    zh: '系统检测到您的作业疑似卡死，请及时前往作业详情界面查看并处理',
    line: 9951,
  }),
  FailureAnalysed: (e) => ({
    en: `${task(e.data.task)}Possible cause: ${e.data.analysis.cause}. Recommended: ${e.data.analysis.advice}`,
    zh: `${task(e.data.task)}失败的可能原因：${e.data.analysis.cause}；推荐的解决方案：${e.data.analysis.advice}`,
  }),
  TaskRestartRequested: (e) => ({
    en: `${task(e.data.task)}restart in place requested (MA_PROC_START_CNT=${e.data.procStartCount}): ${e.data.reason}`,
    zh: `${task(e.data.task)}请求原地重启`,
  }),
  TaskReleased: (e) => ({ en: `${task(e.data.task)}released from the node (attempt ${e.data.attempt})`, zh: `${task(e.data.task)}已释放` }),
  NodeSuspect: () => ({ en: 'Node suspect: heartbeats stopped', zh: '节点疑似故障：心跳中断' }),
  NodeIsolated: (e) => ({ en: `Node isolated (${e.data.reason})${e.data.detail ? `: ${e.data.detail}` : ''}`, zh: '节点已隔离' }),
  NodeDraining: () => ({ en: 'Node draining: its tasks are moved elsewhere', zh: '节点排空中' }),
  NodeReturned: (e) => ({ en: `Node back in service: ${e.data.reason}`, zh: '节点已恢复服务' }),
  TokenCreated: (e) => ({ en: `API token ${e.data.tokenId} created for ${e.data.subject} (${e.data.grants.join(', ')}${e.data.project ? ` in ${e.data.project}` : ''})`, zh: 'API 令牌已创建' }),
  TokenRevoked: (e) => ({ en: `API token ${e.data.tokenId} revoked`, zh: 'API 令牌已吊销' }),
  ProjectCreated: (e) => ({ en: `Project ${e.data.projectId} created`, zh: '项目已创建' }),
  RoleBound: (e) => ({ en: `${e.data.subject} granted ${e.data.grant}`, zh: '已授予角色' }),
  RoleUnbound: (e) => ({ en: `${e.data.subject} no longer holds ${e.data.grant}`, zh: '已撤销角色' }),
  QuotaSet: (e) => ({ en: `Quota in pool ${e.data.pool} set: guaranteed ${amountsText(e.data.quota.guaranteed)}${e.data.quota.limit ? `, limit ${amountsText(e.data.quota.limit)}` : ''}${e.data.quota.cohort ? `, cohort ${e.data.quota.cohort}` : ''}`, zh: '配额已设置' }),
  QuotaRemoved: (e) => ({ en: `Quota in pool ${e.data.pool} removed`, zh: '配额已删除' }),
  NodeJoinTokenIssued: (e) => ({ en: `Join token ${e.data.tokenId} issued for node ${e.data.nodeId} (until ${e.data.expiresAt})`, zh: '节点加入令牌已签发' }),
  NodeJoinTokenRedeemed: (e) => ({ en: `Node ${e.data.nodeId} joined with token ${e.data.tokenId}${e.data.from ? ` from ${e.data.from}` : ''}`, zh: '节点已加入' }),
  NotificationSubscribed: (e) => ({
    en: `Notifications of ${e.data.events.join(', ')} for ${e.data.scope.kind === 'job' ? `job ${e.data.scope.jobId}` : `project ${e.data.scope.project}`} subscribed`,
    zh: '事件通知已订阅',
  }),
  NotificationUnsubscribed: (e) => ({ en: `Notification subscription ${e.data.subscriptionId} removed`, zh: '事件通知已取消订阅' }),
  SearchCreated: (e) => ({ en: `Hyperparameter search ${e.data.spec.metadata.name} created (${e.data.spec.search.algorithm}, ${e.data.spec.search.algorithmParameters.num_samples} trials)`, zh: '超参搜索作业已创建' }),
  TrialStarted: (e) => ({ en: `Trial ${e.data.trial} started as job ${e.data.jobId}: ${valuesText(e.data.values)}`, zh: `超参搜索试验 ${e.data.trial} 已开始` }),
  TrialReported: (e) => ({ en: `Trial ${e.data.trial} reported ${e.data.value} at step ${e.data.step}`, zh: `超参搜索试验 ${e.data.trial} 上报指标` }),
  TrialPruned: (e) => ({ en: `Trial ${e.data.trial} stopped early: ${e.data.value} at step ${e.data.step}, the median is ${e.data.median}`, zh: `超参搜索试验 ${e.data.trial} 提前停止` }),
  TrialEnded: (e) => ({ en: `Trial ${e.data.trial} ${e.data.outcome}${e.data.value !== undefined ? ` with ${e.data.value}` : ''}${e.data.reason ? `: ${e.data.reason}` : ''}`, zh: `超参搜索试验 ${e.data.trial} 已结束` }),
  BestTrialChanged: (e) => ({ en: `Trial ${e.data.trial} is the best so far (${e.data.value}): ${valuesText(e.data.values)}`, zh: `当前最优试验为 ${e.data.trial}` }),
  SearchStopped: (e) => ({ en: `Hyperparameter search stopped by ${e.data.by}`, zh: '超参搜索作业已终止' }),
  SearchEnded: (e) => ({ en: `Hyperparameter search ${e.data.outcome} after ${e.data.trials} trials${e.data.best ? `; best trial ${e.data.best.trial} (${e.data.best.value})` : ''}`, zh: '超参搜索作业已结束' }),
};

const valuesText = (v: Record<string, number | string>) => Object.entries(v).map(([k, x]) => `${k}=${x}`).join(' ');

const amountsText = (a: Record<string, number>) => Object.entries(a).map(([k, v]) => `${k}=${v}`).join(' ') || 'nothing';

const RECOVERY_ACTION_ZH = {
  'restart-in-place': '原地恢复',
  'hang-restart': '卡死重启',
  'reschedule-pod': 'Pod重调度',
  'reschedule-job': 'Job级重调度',
  fail: '作业将被终止并设置为失败状态',
  none: '不处理',
} as const;

/**
 * What the exit report knows beyond the code: the spec field at fault, or the launcher's worker that
 * failed first by a signal (else its first failure), e.g. `rank 3 killed by SIGKILL`.
 */
function exitDetail(d: DomainEvent<'TaskExited'>['data']): string | undefined {
  if (d.userError) return `${d.userError.field}: ${d.userError.message}`;
  const failures = d.launcher?.failures ?? [];
  const w = failures.find((f) => f.signal) ?? failures[0];
  if (!w) return undefined;
  const who = w.rank !== undefined ? `rank ${w.rank}` : 'a worker';
  return `${d.launcher!.launcher}: ${who} ${w.signal ? `killed by ${w.signal}` : `exited with ${w.exitCode ?? 'unknown'}`}${w.message ? `: ${w.message}` : ''}`;
}

/** `item <keyword>: <detail>` and the fault class, as the guide's logs name items (L7656-7661). */
function precheckDetail(d: { item: string; detail: string; hardware: boolean }, lang: 'en' | 'zh'): string {
  const kind = lang === 'en' ? (d.hardware ? ' (hardware fault)' : ' (not a hardware fault)') : d.hardware ? '（硬件故障）' : '（非硬件故障）';
  return `item ${d.item}: ${d.detail}${kind}`;
}

/**
 * One line for humans: the reason's code and its numbers.
 *
 * @example
 * ```ts
 * describeWaitReason({ code: 'INSUFFICIENT_RESOURCES', position: 1, deficit: { gpu: 2 } }) // 'INSUFFICIENT_RESOURCES (position 1; short of gpu 2)'
 * ```
 */
export function describeWaitReason(r: JobWaitReason): string {
  const parts: string[] = [];
  if (r.position !== undefined) parts.push(`position ${r.position}`);
  const short = Object.entries(r.deficit ?? {}).map(([k, v]) => `${k} ${v}`);
  if (short.length) parts.push(`short of ${short.join(', ')}`);
  if (r.unplacedInstances !== undefined) parts.push(`${r.unplacedInstances} instance(s) without room`);
  if (r.blockedBy) parts.push(`behind ${r.blockedBy}`);
  if (r.cause) parts.push(r.cause);
  if (r.victims?.length) parts.push(`preempting ${r.victims.join(', ')}`);
  if (r.startsAt) parts.push(`capacity held from ${r.startsAt}`);
  if (r.affinityGroups) parts.push(`affinity groups ${r.affinityGroups.allocatable}/${r.affinityGroups.needed}`);
  if (r.noQuota) parts.push('its project has no quota in this pool');
  for (const q of r.shortfalls ?? []) {
    parts.push(
      q.cohort
        ? `${q.resource}: cohort ${q.cohort.name} holds ${q.cohort.used} of ${q.cohort.guaranteed}, needs ${q.requested} more`
        : `${q.resource}: quota holds ${q.used} of ${q.limit ?? q.guaranteed}, needs ${q.requested} more`,
    );
  }
  if (r.detail) parts.push(r.detail);
  if (r.causes && r.causes.length > 1) parts.push(`all of: ${r.causes.join(', ')}`);
  if (r.estimatedStart !== undefined) parts.push(r.estimatedStart ? `expected to start ${r.estimatedStart}` : 'start not known');
  return parts.length ? `${r.code} (${parts.join('; ')})` : r.code;
}

export function eventText(e: DomainEvent): EventText {
  return (TEXTS[e.type] as (e: DomainEvent) => EventText)(e);
}
