import type { CommitMeta, TaskAssignment } from '@trainyard/contracts';
import type { AgentConfig } from './agent-config';
import type { AgentLogger } from './agent-logger';
import type { AgentReports } from './agent-reports';
import { checkCode, checkWorkingDir, prepareTaskDirs } from './code-dir';
import { prepareContainerTask } from './container-task';
import { CONTAINER_PATHS } from './container-task-spec';
import { containerUser, GUIDE_USER_NAME, taskUser } from './task-user';
import type { OutputSync } from './staging/output-sync';
import { LogDirFollower, TEED_ELSEWHERE } from './log-dir-follower';

/** How often `MA_LOG_DIR` is read for new lines. */
const LOG_DIR_POLL_MS = 500;
import { planStaging } from './staging/staging-plan';
import { outputSync, stageTask, storeEnvironment, type StagingSettings } from './staging/task-staging';
import type { LaunchRecords } from './launch-record';
import { planLaunch, writeLaunchFiles } from './launchers';
import { precheckTask, type TaskPrecheck } from './preflight/task-precheck';
import { identityOf } from './re-adoption';
import { taskKey } from './task-reconciler';
import { deviceEnvironment, taskDevices } from './task-devices';
import { applySshTrust, sshTrustPlan } from './ssh-trust/task-ssh-trust';
import { buildTaskEnvironment } from './task-environment';
import { taskPaths, workingDirOf } from './task-paths';
import { LaunchError, type TaskHandle, type TaskRuntime } from './task-runtime';
import type { TaskSlot } from './task-slots';

/** The runtimes an agent launches on; an assignment naming a missing one fails to launch. */
export type TaskRuntimes = Partial<Record<TaskAssignment['runtime'], TaskRuntime>>;

/**
 * From "this attempt runs here" to a live process: the pre-check, then the task's dirs, code link,
 * environment and launch files (or the container's spec), then the runtime's launch. The task
 * lifecycle decides *whether* to launch; this only knows *how*, and sends the output to the slot.
 */
export class LaunchPreparation {
  constructor(
    private readonly config: AgentConfig,
    private readonly runtimes: TaskRuntimes,
    private readonly records: LaunchRecords,
    private readonly reports: AgentReports,
    private readonly logger: AgentLogger,
  ) {}

  /**
   * The pre-check (preflight/), before the script starts: its lines open the task's log (and are kept
   * in the launch record, for a re-adopting agent), its result goes to the job as W01, or W02/W03.
   */
  async precheck(key: string, a: TaskAssignment, slot: TaskSlot, cause: CommitMeta | undefined): Promise<TaskPrecheck | undefined> {
    const { capacity, workDir, cacheDir, preflight } = this.config;
    const check = await precheckTask({ assignment: a, capacity, rootDir: workDir, cacheDir, settings: preflight });
    if (!check) return undefined;
    if (check.lines.length) await this.records.update(slot.ref, { prelude: check.lines });
    for (const l of check.lines) void slot.shipper.push(l.stream, l.text);
    const outcome = await this.reports.precheck(key, a, check.report, cause);
    if (!outcome) throw new Error(`pre-check of ${key} not reported: the agent is stopping`);
    const { elapsedSeconds } = check.report;
    if (check.failure) this.logger.warn({ task: key, elapsedSeconds, hardware: check.report.hardware }, check.failure);
    else this.logger.info({ task: key, elapsedSeconds }, 'pre-check passed');
    return check;
  }

  async spawn(original: TaskAssignment, slot: TaskSlot): Promise<TaskHandle> {
    const { nodeId } = this.config;
    const runtime = this.runtimes[original.runtime ?? 'process'];
    if (!runtime) throw new LaunchError(`runtime '${original.runtime}' is not available on node ${nodeId}`);
    const paths = taskPaths(this.config.workDir, original);
    const settings = this.stagingSettings();
    const line = (stream: 'stdout' | 'stderr', text: string) => void slot.shipper.push(stream, text);
    if (original.runtime === 'container') {
      const { host, workDir, cacheDir } = this.config;
      const staging = planStaging(original.algorithm, paths, CONTAINER_PATHS);
      // The pool's rule first (a uid below 1000 only on a dedicated pool): the job's error, before anything is written.
      const uid = containerUser(original.algorithm.userId, this.config.taskUsers, this.config.pool);
      const owner = process.getuid?.() === 0 ? uid : undefined;
      const staged = await stageTask(staging, settings, line, owner, (r) => this.reports.staging(original, r));
      const spec = await prepareContainerTask({ ...original, algorithm: staging.algorithm }, { nodeId, host, workDir, cacheDir }, staged.env);
      return this.started(runtime.launch(spec, slot.sink), slot, staged.outputs);
    }
    // The job's user (default 1000), or the agent's own on a node that opted out (TY_TASK_USER=agent);
    // a uid below 1000 only on a dedicated pool. Refused as the job's error before anything is written.
    const user = taskUser(original.algorithm.userId, this.config.taskUsers, this.config.pool);
    // Object-store locations (staging/) become the guide's local paths before anything else reads them.
    const staging = planStaging(original.algorithm, paths, paths);
    const a = { ...original, algorithm: staging.algorithm };
    const inherited = Object.fromEntries(
      this.config.inheritEnv.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name]!]] : [])),
    );
    const env = {
      ...inherited,
      // Another user's task gets the guide's user name and its own home, not the agent's (`~/.cache`…).
      ...(user ? { HOME: paths.home, USER: GUIDE_USER_NAME, LOGNAME: GUIDE_USER_NAME } : {}),
      ...buildTaskEnvironment(a, { host: this.config.host, paths }),
      ...storeEnvironment(settings, staging),
      ...deviceEnvironment(taskDevices(a), 'process'),
    };
    // SSH trust (V21): the instances' names replace their addresses, ssh and mpirun use the trust dir.
    const trust = sshTrustPlan(a, paths, this.config);
    Object.assign(env, trust?.env);
    // Planned and checked before anything is written: an algorithm that cannot start, or whose code
    // is not on this node, leaves nothing behind and fails as the job's own error (SpecError).
    const plan = planLaunch({ assignment: a, host: this.config.host, paths, env });
    const uid = user?.uid;
    const staged = await stageTask(staging, settings, line, uid, (r) => this.reports.staging(a, r));
    await checkCode(a.algorithm);
    await prepareTaskDirs(paths, a.algorithm.codeDir, uid);
    const cwd = workingDirOf(a.algorithm, paths);
    await checkWorkingDir(cwd);
    await writeLaunchFiles(plan.files, uid);
    if (trust) slot.sshTrust = await applySshTrust(trust, taskKey(slot.ref), this.config.sshTrust.hostsFile, uid);
    // sshd runs in the task's own process group: it ends with the task, as the task's user.
    const command = trust ? `${trust.prologue}\n${plan.command}` : plan.command;
    const spec = { command, cwd, env: { ...env, ...plan.env }, uid, gid: user?.gid, identity: identityOf(nodeId, a) };
    slot.exec = { cwd: spec.cwd, env: spec.env, ...(uid !== undefined ? { uid } : {}), ...(user?.gid !== undefined ? { gid: user.gid } : {}) };
    return this.started(runtime.launch(spec, slot.sink), slot, staged.outputs);
  }

  /**
   * A task an earlier run launched, followed again (re-adoption): its object-store outputs are synced
   * again from where they are (nothing is downloaded), its log dir followed from the saved offsets.
   */
  resumeFollowers(a: TaskAssignment, slot: TaskSlot): void {
    const paths = taskPaths(this.config.workDir, a);
    const visible = a.runtime === 'container' ? CONTAINER_PATHS : paths;
    const line = (stream: 'stdout' | 'stderr', text: string) => void slot.shipper.push(stream, text);
    slot.outputs = outputSync(planStaging(a.algorithm, paths, visible), this.stagingSettings(), line);
    slot.outputs?.start();
    this.followLogDir(a, slot);
  }

  /** Once the process runs, its outputs start syncing (every `TY_OUTPUT_SYNC_MS`) and its log dir is followed. */
  private async started(launching: Promise<TaskHandle>, slot: TaskSlot, outputs: OutputSync | undefined): Promise<TaskHandle> {
    const handle = await launching;
    slot.outputs = outputs;
    outputs?.start();
    this.followLogDir(slot.assignment, slot);
    return handle;
  }

  /** The host side of `MA_LOG_DIR` (the container's is a mount of it). */
  private followLogDir(a: TaskAssignment, slot: TaskSlot): void {
    const paths = taskPaths(this.config.workDir, a);
    slot.logFiles = new LogDirFollower({
      dir: paths.logDir,
      offsetsFile: `${paths.home}/.log-dir-offsets.json`,
      pollMs: LOG_DIR_POLL_MS,
      push: (text) => slot.shipper.push('stdout', text),
      skip: TEED_ELSEWHERE,
    });
    slot.logFiles.start();
  }

  private stagingSettings(): StagingSettings {
    return { ...this.config.staging, pool: this.config.pool };
  }
}
