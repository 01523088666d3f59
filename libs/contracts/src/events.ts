import type { Algorithm, Flavor, TrainingJobSpec } from './job-spec';
import type { IdentityEventData, IdentityEventType } from './identity-events';
import type { NotificationEventData } from './notification-events';
import type { SearchEventData } from './search-events';

/**
 * Every event of the log. An event is `{ type, version, time, data }`; the aggregate it belongs to is
 * the subject of the commit that carries it (`ty.ev.job.<id>`, `ty.ev.node.<id>`). Names are past
 * tense. `version` is the schema version of `data`: old versions are upcast on read, never rewritten.
 */

// ---------------------------------------------------------------- shared shapes

/** Allocatable resources of a node, or requested by one instance of a job. */
export interface Capacity {
  /** vCPUs (fractional allowed). */
  cpu: number;
  memoryMiB: number;
  gpu: number;
  npu: number;
  acceleratorType?: string;
}

/**
 * The accelerator cards of a node by id (ours, issue 14): what its agent inventoried (`nvidia-smi`,
 * `npu-smi`, or `TY_NODE_GPU_IDS` / `TY_NODE_NPU_IDS`). The ids are what the task's
 * `CUDA_VISIBLE_DEVICES` / `ASCEND_VISIBLE_DEVICES` and a container's device request name.
 *
 * @example
 * ```ts
 * { gpu: ['0', '1', '2', '3', '4', '5', '6', '7'] }
 * ```
 */
export interface DeviceInventory {
  gpu?: string[];
  npu?: string[];
}

/**
 * One staged data channel of a task attempt (W06, W08, W09; ours issue 14): the channel's `name`
 * (the guide's 参数名称), what moved and how long it took.
 *
 * @example
 * ```ts
 * { task: 'worker-0', attempt: 1, nodeId: 'n1', name: 'data_url', elapsedSeconds: 1.2, files: 3, bytes: 4096 }
 * ```
 */
export interface TaskStagingDone {
  task: string;
  attempt: number;
  nodeId: string;
  name: string;
  elapsedSeconds: number;
  files: number;
  bytes?: number;
}

/** A channel that could not be staged (W07): the reason, as the task's log says it. */
export interface TaskStagingFailure {
  task: string;
  attempt: number;
  nodeId: string;
  name: string;
  elapsedSeconds: number;
  reason: string;
}

/** Where one task of a job runs. */
export interface TaskPlacement {
  task: string;
  index: number;
  nodeId: string;
  /** Address peers use to reach this task (goes into `VC_WORKER_HOSTS`, `MA_CURRENT_IP`). */
  host: string;
}

/** Everything a node agent needs to launch one task attempt, carried on the node's subject. */
export interface TaskAssignment {
  jobId: string;
  jobName: string;
  task: string;
  index: number;
  /** Job-level attempt: 1 on first dispatch, +1 on every job re-dispatch. */
  attempt: number;
  /** `MA_SCHEDULE_CNT`: times this task was scheduled (1 first). */
  scheduleCount: number;
  /** `MA_PROC_START_CNT`: times the script was started in this placement (1 first). */
  procStartCount: number;
  algorithm: Algorithm;
  flavor: Flavor;
  runtime: 'process' | 'container';
  /** Hosts of every task by index; `hosts.length` is `MA_NUM_HOSTS`. */
  hosts: string[];
  /**
   * The cards this task may use (ours, issue 14): ids of the node's inventory, GPUs for a flavor with
   * `gpu`, NPUs for one with `npu`, chosen by the scheduler so that no card is shared. Absent when the
   * flavor asks for none, or the node declared no ids (the agent then hands out none).
   */
  devices?: string[];
  /** Every task's `devices` by index, beside `hosts` (the rank table's `device_id`s). */
  devicesByIndex?: string[][];
  /**
   * SSH trust between the job's instances (V21, ours issue 14): present when the job asked for it,
   * with the guide's trust dir resolved (default `/home/ma-user/.ssh`). The keys are never here: every
   * agent derives them from the cluster's trust secret.
   */
  sshTrust?: { dir: string };
}

/**
 * Why a task attempt ended. `precheck-failed`: the pre-check (ch12-13 §2.5) failed, so the script never
 * started; the W02/W03 events before it name the items and whether the hardware is to blame.
 * `user-error`: the node agent found before launch that the job's own spec cannot run (its code dir,
 * boot file, working dir or image is not there): `userError` names the field. `launch-failed` is then
 * left to what the agent itself could not do (a runtime missing, a spawn failure).
 */
export type TaskExitReason = 'exited' | 'stopped' | 'lost' | 'launch-failed' | 'precheck-failed' | 'user-error';

/**
 * A fault of the job's own spec found on the node (ours, issue 9): the job fails with it, and it is
 * never evidence against the node. `field` is the spec path at fault.
 *
 * @example
 * ```ts
 * { field: 'algorithm.codeDir', code: 'not-found', message: 'code dir /data/code is not a directory on this node' }
 * { field: 'algorithm.command', code: 'command-not-found', message: 'sh: 1: trian.sh: not found (exit 127)' }
 * ```
 */
export interface TaskUserError {
  /** `algorithm.codeDir`, `algorithm.bootFile`, `algorithm.workingDir`, `algorithm.image`, `algorithm.command`… */
  field: string;
  code: UserErrorCode;
  message: string;
  /** Seconds the agent spent preparing the task before it found the fault (W05's `[耗时： 秒]`). */
  elapsedSeconds?: number;
}

/** Stable codes of {@link TaskUserError}. */
export type UserErrorCode = 'not-found' | 'not-a-directory' | 'outside-code-dir' | 'image-unavailable' | 'command-not-found' | 'not-executable' | 'invalid' | 'too-large' | 'access-denied';

/**
 * One failed worker as its launcher reported it (ours, issue 9): torchrun's failure summary
 * ("Root Cause (first observed failure)" and "Failures"), mpirun's notice. `signal` is set when the
 * worker was killed by one (torchrun's `exitcode: -9`), `exitCode` otherwise.
 *
 * @example
 * ```ts
 * { rank: 3, localRank: 1, pid: 6783, host: 'localhost', exitCode: null, signal: 'SIGKILL' }
 * ```
 */
export interface LauncherWorkerFailure {
  rank?: number;
  localRank?: number;
  pid?: number;
  host?: string;
  exitCode: number | null;
  signal?: string;
  /** The exception's last line, when the launcher had the worker's traceback (torchrun's error file). */
  message?: string;
  /** The worker's Python traceback, bounded (torchrun with `@record`). */
  traceback?: string;
}

/** What a launcher said about a failed task: the workers that failed, as it listed them. */
export interface LauncherReport {
  launcher: 'torchrun' | 'mpirun';
  failures: LauncherWorkerFailure[];
}

/**
 * One item of a task's pre-check (ch12-13 §2.5, L7599-7653), as the node agent ran it.
 *
 * @example
 * ```ts
 * { item: 'disk-size shm', outcome: 'abnormal', detail: '/dev/shm has 0.5 GiB free, needs > 1 GiB', hardware: false }
 * { item: 'gpu-check', outcome: 'abnormal', detail: 'GPU 3 (0000:C1:00.0): 2 uncorrectable ECC errors', hardware: true }
 * ```
 */
export interface PrecheckItemResult {
  /**
   * The guide's log keyword (`dns`, `disk-size root`, `disk-size shm`, `disk-size cache`, `ulimit`,
   * `gpu-check`) or ours (`npu-check`).
   */
  item: string;
  /** `abnormal`: the item ran and found the node unfit (W02). `error`: the item could not be checked (W03). */
  outcome: 'passed' | 'abnormal' | 'error';
  /** What the item found, for humans. */
  detail: string;
  /**
   * The failure points at the node's accelerators or their driver: the node is to be isolated before
   * the job is re-dispatched (scenario 1, L7539); otherwise it is re-dispatched without isolation
   * (scenario 2, L7544). False for passed items.
   */
  hardware: boolean;
}

/** One failed pre-check item of a task attempt: the data of W02 and W03. */
export interface TaskPrecheckFailure {
  task: string;
  attempt: number;
  nodeId: string;
  /** Seconds the whole pre-check took (`[耗时： 秒]`), one decimal. */
  elapsedSeconds: number;
  item: string;
  detail: string;
  hardware: boolean;
}

/**
 * Why a job is back in the queue after it ran: it queues at "first priority" (ch12 §2.3, L7557–7558) —
 * ahead of the never-dispatched jobs of its own priority, never ahead of a higher priority — and fails
 * after waiting too long there.
 */
export type RequeueReason = 'preemption' | 'fault-recovery';

// ---------------------------------------------------------------- fault tolerance (issue 5)

/**
 * A fault the node agent detected while the workload ran, carried on an exit report: a device fault
 * or an eviction (pre-check failures have their own events, W02/W03). `hardware` says whether the
 * node (not the job) is to blame: the guide's scenario table (L7536-7555) isolates nodes only then.
 *
 * @example
 * ```ts
 * { kind: 'device', code: '80E01801', hardware: true, selfHealable: true, message: 'HBM multi-bit ECC' }
 * { kind: 'evicted', hardware: false, message: 'node memory pressure' }
 * ```
 */
export interface TaskFault {
  kind: 'device' | 'evicted';
  hardware: boolean;
  /** A device fault the device can recover from (the guide's 次要/重要 NPU codes, L8195-8207). */
  selfHealable?: boolean;
  /** Device fault code. */
  code?: string;
  message: string;
}

/**
 * How the fault manager classified a failure: the input of the recovery policy (libs/domain
 * `decideRecovery`). The kinds follow the guide's fault scenarios (ch12 §2.2, §4.1).
 */
export type FaultKind =
  /** A task's process ended by a signal nobody on the platform sent (SIGKILL, SIGSEGV…): the node is fine. */
  | 'process-killed'
  /** A device fault the device heals from (in-place recovery, L7913-7934). */
  | 'self-healable'
  /** A device fault caused by user input (codes 80C98002/80CB8002, L8189-8191): never isolates. */
  | 'user-induced'
  /** The script exited non-zero (or could not start) and no hardware is at fault (L7936-7956). */
  | 'non-zero-exit'
  /** A hardware fault while the workload ran (scenario 3, L7548-7549). */
  | 'hardware'
  /** The node's agent stopped heartbeating past the grace period. */
  | 'node-lost'
  /** An operator drained the node the task ran on. */
  | 'node-drained'
  /** The platform evicted the task (L8225-8228: never an unconditional reschedule). */
  | 'evicted'
  /** Preflight failed on faulty hardware (scenario 1, L7539-7540). */
  | 'preflight-hardware'
  /** Preflight failed on healthy hardware (scenario 2, L7544-7545). */
  | 'preflight-environment'
  /** The job is suspected hung (ch12 §3, L7693-7717). */
  | 'hang'
  /**
   * The job's own spec cannot run (ours, issue 9): a code dir, boot file, working dir or image that is
   * not there, a command not found (exit 126/127). The job fails; the node is never blamed.
   */
  | 'user-error';

/**
 * One classified fault. `code` is the signature that makes two faults "the same" (exit code, signal,
 * device fault code, preflight item); `hardware` marks faults of the node, which isolate it and end a
 * streak of unconditional reschedules (L8240-8242).
 *
 * @example
 * ```ts
 * { kind: 'process-killed', task: 'worker-1', nodeId: 'gpu-03', code: 'SIGKILL', hardware: false }
 * ```
 */
export interface Fault {
  kind: FaultKind;
  task?: string;
  nodeId?: string;
  code?: string;
  hardware: boolean;
  detail?: string;
}

/** What the recovery policy chose, smallest step first (ch12 §4.6). */
export type RecoveryAction =
  | 'restart-in-place'
  | 'hang-restart'
  | 'reschedule-pod'
  | 'reschedule-job'
  | 'fail'
  | 'none';

/** "当前重启次数/最大重启次数" (L7677-7678): re-dispatches used of `fault-tolerance/job-retry-num`. */
export interface RestartCount {
  current: number;
  max: number;
}

/** How a job was restarted (J11): processes in place, after a hang, one pod moved, or the whole job. */
export type RestartMode = 'in-place' | 'hang' | 'pod' | 'job';

/** Why a node is out of service. Only `node-lost` returns by itself (when heartbeats resume). */
export type NodeIsolationReason = 'node-lost' | 'hardware-fault' | 'repeated-failures' | 'operator';

/**
 * What the hang detector saw, per task, over the window (ch12 §3.1).
 *
 * @example
 * ```ts
 * { rule: 'single-instance', windowMs: 1800000, tasks: [{ task: 'worker-0', ioUnchanged: true, logSilent: true,
 *   utilVariance: 0, utilMedian: 0, maxCpuCores: 0.02 }] }
 * ```
 */
export interface HangEvidence {
  /** `single-instance`: one task's I/O, log and utilisation stood still; `all-instances`: every task idle (L7712-7713). */
  rule: 'single-instance' | 'all-instances';
  windowMs: number;
  tasks: {
    task: string;
    ioUnchanged?: boolean;
    logSilent?: boolean;
    utilVariance?: number;
    utilMedian?: number;
    maxCpuCores?: number;
  }[];
}

/**
 * The guide's log failure analysis (ch12 §5, L8322-8358): the likely cause, the advice and the log
 * lines that matched ("对应的日志（底色标红部分）").
 */
export interface FailureAnalysis {
  /** Rule id of the analyser's table, e.g. `LF-CUDA-OOM`. */
  rule: string;
  category: string;
  cause: string;
  advice: string;
  /** "参考案例解决" or "复制作业" (L8345-8350). */
  adviceKind: 'reference_case' | 'copy_job';
  /** The matching lines, by sequence number in the task attempt's log. */
  evidence: { seq: number; text: string }[];
  /** Where in the guide the rule comes from, if it does. */
  source?: string;
}

/** A schedulable resource, as named in capacities and flavors. */
export type ResourceName = 'cpu' | 'memoryMiB' | 'gpu' | 'npu';

/**
 * Why a job is waiting, with the numbers behind it ("why is my job waiting"). `code` is the
 * planner's named reason (`INSUFFICIENT_RESOURCES`, `BEHIND_IN_QUEUE`, …); the other fields are
 * present when the reason has them.
 *
 * @example
 * ```ts
 * { code: 'INSUFFICIENT_RESOURCES', position: 1, deficit: { gpu: 2 }, unplacedInstances: 1 }
 * { code: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'job-7' }
 * ```
 */
export interface JobWaitReason {
  code: string;
  /** 1-based position among the pool's waiting jobs. */
  position?: number;
  /** Shortfall per resource of the next instance that found no room. */
  deficit?: Partial<Record<ResourceName, number>>;
  /** Instances of the gang that found no room. */
  unplacedInstances?: number;
  /** The job ahead that holds the pool (or the capacity reserved for it). */
  blockedBy?: string;
  /** Why a job can never fit as the pool stands (`NEVER_FITS`), e.g. `INSTANCE_TOO_LARGE`. */
  cause?: string;
  /** Jobs being preempted to make room for it (`PREEMPTION_PENDING`). */
  victims?: string[];
  /** When capacity held for it is expected to be free (`HOLDING_RESERVATION`); null = unknown. */
  startsAt?: string | null;
  /** Supernode affinity groups the job needs and the pool can allocate now. */
  affinityGroups?: { needed: number; allocatable: number };
  /** Anything else the planner said, for humans. */
  detail?: string;
  /** Every reason that holds at once (issue 16): QUOTA, CAPACITY, RESERVATION, AFFINITY, PREEMPTION, … */
  causes?: string[];
  /** Resources the project's quota (or its cohort's idle quota) is short of (`QUOTA_EXCEEDED`), cpu in cores. */
  shortfalls?: { resource: string; used: number; requested: number; guaranteed: number; limit: number | null; cohort?: { name: string; used: number; guaranteed: number } }[];
  /** The project has no quota in this pool. */
  noQuota?: boolean;
  /** Expected start from the running jobs' expected ends (`squeue --start`); null = not known. */
  estimatedStart?: string | null;
}

// ---------------------------------------------------------------- job events

export interface JobEventData {
  /** J01 训练作业创建成功. Spec has defaults applied (`withDefaults`). */
  JobCreated: { jobId: string; spec: TrainingJobSpec; tasks: string[]; createdBy: string };
  /**
   * J04 训练作业已排队，正在等待资源分配. `requeue` is set when the job goes back to the queue after it
   * was dispatched (preempted, or re-dispatched by fault recovery): it then queues at first priority.
   */
  JobQueued: { priority: number; requeue?: RequeueReason };
  /** Placement committed (ours). The job counts as dispatched from here on. */
  JobScheduled: { attempt: number; placements: TaskPlacement[] };
  /** J06 训练作业开始运行: the first task of the attempt started. */
  JobStarted: { attempt: number };
  /** W18 [worker-0] 训练作业开始运行 */
  TaskStarted: { task: string; attempt: number; nodeId: string; pid?: number; procStartCount: number };
  /** W20 [worker-0] 训练结束，退出码 */
  TaskExited: {
    task: string;
    attempt: number;
    nodeId: string;
    exitCode: number | null;
    signal?: string | null;
    reason: TaskExitReason;
    error?: string;
    /** `MA_PROC_START_CNT` of the process that ended: an exit of a process replaced by a restart is stale. */
    procStartCount?: number;
    /** A fault the agent detected (preflight, device, eviction). */
    fault?: TaskFault;
    /** The job's own spec is at fault (reason `user-error`, or a command not found): never the node's. */
    userError?: TaskUserError;
    /** The launcher's own account of the failure (torchrun, mpirun): which worker failed, and how. */
    launcher?: LauncherReport;
  };
  /**
   * W05 [worker-0] [耗时： 秒] 训练代码下载失败，失败原因：… (L9971): the task's code could not be made
   * available on its node (the code dir or the boot file in it is not there). Always in the commit of
   * the task's `user-error` exit, before it.
   */
  TaskCodeDownloadFailed: { task: string; attempt: number; nodeId: string; elapsedSeconds: number; field: string; reason: string };
  /** W06 [worker-0] [耗时： 秒] 训练输入（参数名称：）下载完成 (L9973): an object-store input is on the node. */
  TaskInputDownloaded: TaskStagingDone;
  /** W07 [worker-0] [耗时： 秒] 训练输入（参数名称：）下载失败，失败原因：… (L9975), before the task's failed exit. */
  TaskInputDownloadFailed: TaskStagingFailure;
  /** W08 [worker-0] [耗时： 秒] 训练输出（参数名称：）上传完成 (L9977): the last sync of an output after the exit. */
  TaskOutputUploaded: TaskStagingDone;
  /** W09 [worker-0] [耗时： 秒] 训练输出（ ）预取成功 (L9979): an output's `preDownload` (checkpoint resume) is done. */
  TaskOutputPrefetched: TaskStagingDone;
  /** W01 [worker-0] [耗时： 秒] 初始化环境预检完成: every pre-check item passed; the script starts next. */
  TaskPrecheckCompleted: { task: string; attempt: number; nodeId: string; elapsedSeconds: number; items: PrecheckItemResult[] };
  /** W02 [worker-0] [耗时： 秒] 检测项预检未通过，异常：… one item found the node unfit. */
  TaskPrecheckAbnormal: TaskPrecheckFailure;
  /** W03 [worker-0] [耗时： 秒] 检测项预检未通过，错误：… one item could not be checked. */
  TaskPrecheckError: TaskPrecheckFailure;
  /** J07 训练作业运行成功 */
  JobSucceeded: { attempt: number };
  /** J08 训练作业运行失败 */
  JobFailed: {
    attempt: number;
    reason: string;
    task?: string;
    exitCode?: number | null;
    message?: string;
    /** The spec field at fault, when the job's own spec failed it (reason `user-error`). */
    field?: string;
  };
  /**
   * 异常: a platform-detected fault ended the job (not a non-zero exit of the script). Reason
   * `preparation-timeout` is J03 (准备阶段超时, L9938): no task started within the preparation limit.
   */
  JobAbnormal: { attempt: number; reason: string; message?: string };
  /** Stop accepted; running tasks are being stopped (终止中). */
  JobStopRequested: { by: string; reason: 'user' | 'max-run-time'; maxRunHours?: number };
  /** J12 训练作业已被手动终止, or J13 训练作业已被终止（最大运行时长：x h） */
  JobTerminated: { reason: 'user' | 'max-run-time'; maxRunHours?: number };
  /** Priority changed while waiting and not yet dispatched (ours; L11764). */
  JobPriorityChanged: { from: number; to: number; by: string };
  /**
   * Description, tags or experiment changed after creation (ours, issue 18): only the fields given;
   * `tags` replaces every tag, `experiment: null` leaves the experiment.
   */
  JobMetadataUpdated: { by: string; description?: string; tags?: { key: string; value: string }[]; experiment?: string | null };
  /**
   * J09 训练作业被抢占 (L9949): a job of higher priority needs the capacity. Every task of `attempt` gets
   * a stop request with `graceMs` (SIGTERM, then SIGKILL); once all ended the job is queued again
   * (`JobQueued` with `requeue: 'preemption'`).
   */
  JobPreempted: {
    attempt: number;
    by: string;
    byPriority: number;
    graceMs: number;
    /** Quota reclaim (issue 16): the job ran on quota its cohort lent, and `by`'s project took it back. */
    reclaim?: boolean;
  };
  /**
   * The task acknowledged "checkpoint written" (ours, issue 16): it wrote `MA_CHECKPOINT_ACK_FILE`.
   * Victim choice prefers the job whose last acknowledgement is newest; during a preemption notice it
   * also means "stop me now".
   */
  TaskCheckpointed: { task: string; attempt: number; nodeId: string };
  /**
   * Someone runs a command in a running task (issue 15, `yard exec`): recorded before the agent runs
   * it, so the audit holds every exec with its principal (the commit's metadata) and its command line.
   */
  TaskExecRequested: { task: string; attempt: number; nodeId: string; command: string[]; by: string };
  /**
   * The job was kept from preempting `victim`, which preempted it less than `windowMs` ago (ours,
   * issue 16: A preempts B preempts A is stopped).
   */
  PreemptionCycleStopped: { victim: string; windowMs: number };
  /**
   * The reason the job waits changed materially (ours): the scheduler appends it only when the
   * reason's code or its numbers change enough to matter (`waitReasonWorthRecording` in libs/domain).
   */
  JobWaiting: { reason: JobWaitReason };
  /** Delete accepted (删除中). */
  JobDeletionRequested: { by: string };
  /** J14 训练作业已被手动删除 */
  JobDeleted: { by: string };
  /**
   * The fault manager's decision on a fault of the current attempt (ours, issue 5): the rule that fired,
   * the fault, the action, and the re-dispatch count after it ("current/max restarts"). Always in the
   * same commit as its effect (`JobRestarted`, `JobQueued`, `JobFailed`…).
   */
  RecoveryDecided: {
    attempt: number;
    rule: string;
    action: RecoveryAction;
    fault: Fault;
    restarts: RestartCount;
    /** `fault-tolerance/pod-retry-num` used/max, when set. */
    podRestarts?: RestartCount;
    /** Length of the streak this decision extends (unconditional, hang or same in-place fault), this one included. */
    consecutive?: number;
    /** Tasks the action touches. */
    tasks: string[];
    /** Nodes isolated before the job is placed again. */
    isolate: string[];
    message: string;
  };
  /**
   * J11 训练作业已重启 (L9953). `in-place`/`hang`: every listed task runs its start command again on its
   * node (`MA_PROC_START_CNT` + 1); `pod`: `placements` move the listed tasks and the others restart in
   * place; `job`: every task is stopped and the job queues again at first priority.
   */
  JobRestarted: {
    attempt: number;
    mode: RestartMode;
    tasks: string[];
    restarts: RestartCount;
    placements?: TaskPlacement[];
  };
  /** J10 系统检测到您的作业疑似卡死，请及时前往作业详情界面查看并处理 (L9951). */
  JobSuspectedHang: { attempt: number; evidence: HangEvidence };
  /** A failed task's last log lines matched a rule of the failure analyser (ch12 §5). */
  FailureAnalysed: { attempt: number; task: string; analysis: FailureAnalysis };
}

// ---------------------------------------------------------------- node events

export interface NodeEventData {
  /** A node agent announced itself (again) with its capacity. */
  NodeRegistered: { nodeId: string; host: string; pool: string; capacity: Capacity; labels: Record<string, string>; devices?: DeviceInventory };
  /** Work for the node: launch this task attempt. */
  TaskAssigned: TaskAssignment;
  /** Stop this task attempt: SIGTERM, then SIGKILL after `graceMs`. */
  TaskStopRequested: {
    jobId: string;
    task: string;
    attempt: number;
    graceMs: number;
    reason: string;
    /**
     * A preemption notice: the agent writes it to the task's `MA_PREEMPTION_NOTICE_FILE` before the
     * SIGTERM; an acknowledged checkpoint after it stops the task at once instead of at `deadline`.
     */
    preemption?: { by: string; deadline: string };
  };
  /**
   * Restart this task attempt in place (issue 5): stop its processes if any are left (after asking for a
   * stack dump with `dumpSignal`, when set, and waiting `dumpWaitMs`), keep the node and the task home,
   * and run the start command again with `MA_PROC_START_CNT` = `procStartCount` (and `hosts`, when the
   * peers moved).
   */
  TaskRestartRequested: {
    jobId: string;
    task: string;
    attempt: number;
    procStartCount: number;
    graceMs: number;
    reason: string;
    dumpSignal?: 'SIGQUIT' | 'SIGUSR1';
    dumpWaitMs?: number;
    hosts?: string[];
  };
  /**
   * The control plane is done with this task attempt on this node (issue 19): its job ended or moved it,
   * and it can no longer run or restart here. The node forgets the assignment, so a node's state holds
   * only live work however many tasks it ran; its agent stops the attempt if anything of it is left.
   */
  TaskReleased: { jobId: string; task: string; attempt: number };
  /** The node's heartbeats stopped for the lease time: no new work until it is heard again or isolated. */
  NodeSuspect: { lastHeartbeat: string | null; by: string };
  /** The node is out of service: nothing new is placed on it (隔离故障节点, L7529-7534). */
  NodeIsolated: { reason: NodeIsolationReason; by: string; detail?: string };
  /** An operator drains the node: out of service, and its tasks are stopped after `graceMs` and recovered. */
  NodeDraining: { by: string; graceMs: number; detail?: string };
  /** The node is back in service (heartbeats resumed after a loss, or an operator uncordoned it). */
  NodeReturned: { by: string; reason: string };
}

export type EventDataMap = JobEventData & NodeEventData & IdentityEventData & NotificationEventData & SearchEventData;
export type EventType = keyof EventDataMap;
export type JobEventType = keyof JobEventData;
export type NodeEventType = keyof NodeEventData;

/** One event. `time` is ISO-8601 and comes from the command (clocks are inputs). */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; version: number; time: string; data: EventDataMap[K] };
}[T];
export type JobEvent = DomainEvent<JobEventType>;
export type IdentityEvent = DomainEvent<IdentityEventType>;
export type NodeEvent = DomainEvent<NodeEventType>;

export const JOB_EVENT_TYPES: readonly JobEventType[] = [
  'JobCreated', 'JobQueued', 'JobScheduled', 'JobStarted', 'TaskStarted', 'TaskExited', 'JobSucceeded',
  'JobFailed', 'JobAbnormal', 'JobStopRequested', 'JobTerminated', 'JobPriorityChanged', 'JobMetadataUpdated',
  'JobDeletionRequested', 'JobDeleted', 'JobPreempted', 'JobWaiting',
  'TaskPrecheckCompleted', 'TaskPrecheckAbnormal', 'TaskPrecheckError', 'TaskCodeDownloadFailed',
  'TaskInputDownloaded', 'TaskInputDownloadFailed', 'TaskOutputUploaded', 'TaskOutputPrefetched',
  'RecoveryDecided', 'JobRestarted', 'JobSuspectedHang', 'FailureAnalysed', 'TaskCheckpointed', 'PreemptionCycleStopped', 'TaskExecRequested',
];
export const NODE_EVENT_TYPES: readonly NodeEventType[] = [
  'NodeRegistered', 'TaskAssigned', 'TaskStopRequested',
  'TaskRestartRequested', 'TaskReleased', 'NodeSuspect', 'NodeIsolated', 'NodeDraining', 'NodeReturned',
];

/** Builds an event with schema version 1. */
export function event<T extends EventType>(type: T, time: string, data: EventDataMap[T]): DomainEvent<T> {
  return { type, version: 1, time, data } as DomainEvent<T>;
}

// ---------------------------------------------------------------- commits

/** Who did it and why; carried by every commit (decision 1). */
export interface CommitMeta {
  /** Idempotency key: also the `Nats-Msg-Id`. */
  commandId: string;
  correlationId: string;
  causationId?: string;
  /** `user:<id>`, `scheduler`, `node:<id>`, … */
  actor: string;
  /** W3C trace context of the command. */
  traceparent?: string;
  /** Where a principal's command came from (issue 11): its API token, address and user agent. */
  audit?: { tokenId?: string; source?: string; userAgent?: string };
}

/** One message of the event log: 1..n events about one aggregate. */
export interface Commit {
  subject: string;
  events: DomainEvent[];
  meta: CommitMeta;
}

/** A commit as read back: with its stream sequence. */
export interface StoredCommit extends Commit {
  seq: number;
}
