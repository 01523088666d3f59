import type { Algorithm } from '@trainyard/contracts';
import type { LauncherName } from './launch-plan';

/**
 * Which launcher starts a task. An explicit `launchMethod` other than `custom` wins. `custom` with a
 * `command` runs the command. `custom` with a preset framework (`engine` + `bootFile`) does what the
 * guide says the platform does for that engine (ch01-03 §2):
 * - `MA_RUN_METHOD` = `torchrun` | `msrun` in `environments` (the guide's selector, L315-318);
 * - Ascend-Powered-Engine otherwise: the rank table (L328-329);
 * - PyTorch(-GPU) → pytorch-gpu (L478-488); TensorFlow(-GPU) → tensorflow-ps (L490-523);
 * - Horovod, MPI, MindSpore-GPU → mpi (L525-530);
 * - any other engine: the boot file, run once.
 *
 * @example
 * launcherFor({ engine: { name: 'Ascend-Powered-Engine', version: '1' }, bootFile: 't.py', environments: { MA_RUN_METHOD: 'msrun' } })
 * // 'msrun'
 */
export function launcherFor(algorithm: Algorithm): LauncherName {
  const method = algorithm.launchMethod ?? 'custom';
  if (method !== 'custom') return method;
  if (algorithm.command !== undefined || algorithm.bootFile === undefined) return 'command';
  const run = algorithm.environments?.MA_RUN_METHOD;
  if (run === 'torchrun' || run === 'msrun') return run;
  const engine = (algorithm.engine?.name ?? '').toLowerCase();
  if (engine.startsWith('ascend')) return 'ranktable';
  if (engine.startsWith('pytorch')) return 'pytorch-gpu';
  if (engine.startsWith('tensorflow')) return 'tensorflow-ps';
  if (engine.startsWith('horovod') || engine === 'mpi' || engine.startsWith('mindspore-gpu')) return 'mpi';
  return 'boot-file';
}
