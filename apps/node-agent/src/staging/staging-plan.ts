import { posix } from 'node:path';
import { type Algorithm, type DataChannel, type ObjectUrl, parseObjectUrl, lastSegment } from '@trainyard/contracts';
import type { TaskPaths } from '../task-paths';

/** One channel staged between the store and the task's `modelarts` dir. */
export interface StagedChannel {
  direction: 'input' | 'output';
  name: string;
  /** Position in `algorithm.inputs` / `algorithm.outputs`: the `_<index>` of its dir, and of its field. */
  index: number;
  /** `algorithm.inputs[0].path`: where a failure points. */
  field: string;
  url: ObjectUrl;
  /** On this node. */
  hostDir: string;
  /** What the script is given (`--data_url=…`): the same dir as its runtime shows it. */
  visiblePath: string;
  /** Outputs: download what the location holds first (V11). */
  preDownload: boolean;
}

/**
 * What a task stages before it starts and while it runs (issue 14), and the algorithm its launch then
 * uses, pure. Object-store channels live in the guide's places (ch04-06 §3.3: "local code path +
 * input/output + name + _ + index"; the path shown in the guide's own examples is
 * `/home/ma-user/modelarts/inputs/data_url_0`): `${MA_MOUNT_PATH}/inputs/<name>_<i>` and
 * `${MA_MOUNT_PATH}/outputs/<name>_<i>`. An object-store code dir comes down to
 * `<home>/staged-code/<name>` and is linked (or mounted) at `${MA_JOB_DIR}/<name>` like a local one
 * (L1471-1476). Local and shared paths are left as they are.
 *
 * @example
 * const p = planStaging(alg, taskPaths(workDir, a), CONTAINER_PATHS);
 * p.channels[0].visiblePath // '/home/ma-user/modelarts/inputs/data_url_0'
 * p.algorithm.inputs[0].path // the same: the launch passes --data_url=/home/ma-user/modelarts/inputs/data_url_0
 */
export interface StagingPlan {
  code?: { url: ObjectUrl; name: string; hostDir: string };
  channels: StagedChannel[];
  /** The spec's algorithm with every object-store location replaced by its local path. */
  algorithm: Algorithm;
}

/** `host`: the task's dirs on this node; `visible`: the same dirs as the task sees them (equal for a host process). */
export function planStaging(algorithm: Algorithm, host: TaskPaths, visible: TaskPaths): StagingPlan {
  const channels: StagedChannel[] = [];
  const rewrite = (direction: 'input' | 'output') => (c: DataChannel, index: number): DataChannel => {
    const url = parseObjectUrl(c.path);
    if (!url) return c;
    const rel = posix.join(`${direction}s`, `${c.name}_${index}`);
    const staged: StagedChannel = {
      direction, name: c.name, index, field: `algorithm.${direction}s[${index}].path`, url,
      hostDir: posix.join(host.mountPath, rel), visiblePath: posix.join(visible.mountPath, rel),
      preDownload: direction === 'output' && c.preDownload === true,
    };
    channels.push(staged);
    const { preDownload: _p, ...rest } = c;
    return { ...rest, path: staged.visiblePath };
  };
  const inputs = algorithm.inputs?.map(rewrite('input'));
  const outputs = algorithm.outputs?.map(rewrite('output'));
  const codeUrl = algorithm.codeDir ? parseObjectUrl(algorithm.codeDir) : undefined;
  const name = codeUrl ? lastSegment(codeUrl) : undefined;
  const code = codeUrl && name ? { url: codeUrl, name, hostDir: posix.join(host.home, 'staged-code', name) } : undefined;
  return {
    ...(code ? { code } : {}),
    channels,
    algorithm: {
      ...algorithm,
      ...(code ? { codeDir: code.hostDir } : {}),
      ...(inputs ? { inputs } : {}),
      ...(outputs ? { outputs } : {}),
    },
  };
}

/** Whether the plan touches an object store at all. */
export const needsStore = (p: StagingPlan) => p.code !== undefined || p.channels.length > 0;
