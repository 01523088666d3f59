import type { Algorithm } from '@trainyard/contracts';
import type { LauncherName } from './launch-plan';

/**
 * Which launcher starts a task. An explicit `launchMethod` other than `custom` wins. `custom` with a
 * `command` runs the command. `custom` with a preset framework (`engine` + `bootFile`) does what the
 * guide says the platform does for that engine (ch01-03 §2):
 * - Ascend-Powered-Engine: `MA_RUN_METHOD` = `torchrun` | `msrun`, unset → rank table (L315-318);
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
  const engine = (algorithm.engine?.name ?? '').toLowerCase();
  if (engine.startsWith('ascend')) {
    const run = algorithm.environments?.MA_RUN_METHOD;
    return run === 'torchrun' || run === 'msrun' ? run : 'ranktable';
  }
  if (engine.startsWith('pytorch')) return 'pytorch-gpu';
  if (engine.startsWith('tensorflow')) return 'tensorflow-ps';
  if (engine.startsWith('horovod') || engine === 'mpi' || engine.startsWith('mindspore-gpu')) return 'mpi';
  return 'boot-file';
}
