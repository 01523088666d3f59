import { posix } from 'node:path';
import { DEFAULT_TORCHRUN_MASTER_PORT } from '@trainyard/contracts';
import { userArguments } from '../boot-command';
import { bootFilePath, scriptInterpreter } from './boot-file';
import { type LaunchContext, type LaunchPlan, processesPerNode, taskHosts } from './launch-plan';
import { renderArgv, splitWords } from './shell-words';

/**
 * torchrun (ch01-03 §3.2, L377-430). One torchrun per instance starts `processesPerNode` workers.
 * Single instance (L382-384):
 *   `torchrun --standalone --nnodes=1 --nproc_per_node=N ${MA_EXTRA_TORCHRUN_PARAMS} <boot file> <args>`
 * Several (L386-390):
 *   `torchrun --nnodes=H --nproc_per_node=N --node_rank=${VC_TASK_INDEX} --master_addr=<worker-0>
 *    --master_port=${MA_TORCHRUN_MASTER_PORT:-18888} --rdzv_id=<job id> --rdzv_backend=static
 *    ${MA_EXTRA_TORCHRUN_PARAMS} <boot file> <args>`
 * `MA_EXTRA_TORCHRUN_PARAMS` adds flags or overrides preset ones (L421-423): a preset flag it names is
 * dropped, so the argv holds each flag once. With `MA_SCRIPT_INTERPRETER` set, torchrun runs as
 * `<interpreter> -m torch.distributed.run` so the workers use that interpreter too.
 *
 * After the guide's flags the platform adds its own output handling (issue 9), which the extra
 * parameters may override like any preset: `--log_dir=${MA_LOG_DIR}/torchrun --redirects=1 --tee=1`.
 * torchrun's default (`--redirects 0 --tee 0`) cannot start on Python 3.11 with torch < 2.0 (its
 * `Std.from_str` iterates an `IntFlag`, which no longer yields the zero member: `'NoneType' object has
 * no attribute 'get'`), and `1` is the one value that works everywhere while keeping every line on the
 * console: each worker's stdout is teed with torchrun's rank prefix (`[default0]:`), its stderr passes
 * through. The per-rank files then live in the task's log dir, not in a /tmp dir nobody removes.
 * `PYTHONUNBUFFERED=1` (a preset of every task) makes torchrun write the teed lines at once.
 */
export function torchrunLaunch(ctx: LaunchContext): LaunchPlan {
  const a = ctx.assignment;
  const hosts = taskHosts(ctx);
  const nproc = processesPerNode(a);
  const port = ctx.env.MA_TORCHRUN_MASTER_PORT || String(DEFAULT_TORCHRUN_MASTER_PORT);
  const preset =
    hosts.length === 1
      ? ['--standalone', '--nnodes=1', `--nproc_per_node=${nproc}`]
      : [
          `--nnodes=${hosts.length}`,
          `--nproc_per_node=${nproc}`,
          `--node_rank=${a.index}`,
          `--master_addr=${hosts[0]}`,
          `--master_port=${port}`,
          `--rdzv_id=${a.jobId}`,
          '--rdzv_backend=static',
        ];
  const output = [`--log_dir=${posix.join(ctx.paths.logDir, 'torchrun')}`, '--redirects=1', '--tee=1'];
  const argv = [
    ...torchrunExecutable(ctx.env),
    ...withOverrides([...preset, ...output], splitWords(ctx.env.MA_EXTRA_TORCHRUN_PARAMS)),
    bootFilePath(a.algorithm, ctx.paths),
    ...userArguments(a.algorithm),
  ];
  return {
    launcher: 'torchrun',
    command: renderArgv(argv),
    env: { MA_RUN_METHOD: 'torchrun', MA_TORCHRUN_MASTER_PORT: port },
    files: [],
    processes: [{ argv, env: {} }],
  };
}

function torchrunExecutable(env: Readonly<Record<string, string>>): string[] {
  return env.MA_SCRIPT_INTERPRETER?.trim() ? [...scriptInterpreter(env), '-m', 'torch.distributed.run'] : ['torchrun'];
}

/** `--nproc_per_node` and `--nproc-per-node` are one flag to torchrun. */
const flagName = (word: string) => (word.startsWith('--') ? word.slice(2).split('=')[0]!.replaceAll('-', '_') : undefined);

/** Preset flags the extra words do not name, then the extra words as given. */
export function withOverrides(preset: readonly string[], extra: readonly string[]): string[] {
  const overridden = new Set(extra.map(flagName).filter((n): n is string => n !== undefined));
  return [...preset.filter((w) => !overridden.has(flagName(w)!)), ...extra];
}
