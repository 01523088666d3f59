import type { CommitMeta, TaskAssignment } from '@trainyard/contracts';
import type { AgentConfig } from './agent-config';
import type { AgentLogger } from './agent-logger';
import type { AgentReports } from './agent-reports';
import { checkCode, checkWorkingDir, prepareTaskDirs } from './code-dir';
import { prepareContainerTask } from './container-task';
import type { LaunchRecords } from './launch-record';
import { planLaunch, writeLaunchFiles } from './launchers';
import { precheckTask, type TaskPrecheck } from './preflight/task-precheck';
import { identityOf } from './re-adoption';
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

  async spawn(a: TaskAssignment, slot: TaskSlot): Promise<TaskHandle> {
    const { nodeId } = this.config;
    const runtime = this.runtimes[a.runtime ?? 'process'];
    if (!runtime) throw new LaunchError(`runtime '${a.runtime}' is not available on node ${nodeId}`);
    if (a.runtime === 'container') {
      const { host, workDir, cacheDir } = this.config;
      const spec = await prepareContainerTask(a, { nodeId, host, workDir, cacheDir });
      return runtime.launch(spec, slot.sink);
    }
    const paths = taskPaths(this.config.workDir, a);
    const inherited = Object.fromEntries(
      this.config.inheritEnv.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name]!]] : [])),
    );
    const env = { ...inherited, ...buildTaskEnvironment(a, { host: this.config.host, paths }) };
    // Planned and checked before anything is written: an algorithm that cannot start, or whose code
    // is not on this node, leaves nothing behind and fails as the job's own error (SpecError).
    const plan = planLaunch({ assignment: a, host: this.config.host, paths, env });
    await checkCode(a.algorithm);
    // Another user only when the agent can become one; otherwise the task runs as the agent does.
    const uid = a.algorithm.userId !== undefined && process.getuid?.() === 0 ? a.algorithm.userId : undefined;
    await prepareTaskDirs(paths, a.algorithm.codeDir, uid);
    const cwd = workingDirOf(a.algorithm, paths);
    await checkWorkingDir(cwd);
    await writeLaunchFiles(plan.files, uid);
    const spec = { command: plan.command, cwd, env: { ...env, ...plan.env }, uid, gid: uid, identity: identityOf(nodeId, a) };
    return runtime.launch(spec, slot.sink);
  }
}
