/**
 * The preset AI engines (`GET /v2/{project_id}/training-job-engines`): the frameworks whose launch the
 * guide describes (ch01-03 §2) and the node agent implements (`launchers/launch-method.ts` picks the
 * launcher from the engine name). An `engine_id` in a v2 body resolves to the native `{ name, version }`;
 * `engine_name` + `engine_version` may be given instead. There are no preset images on a self-hosted
 * cluster: the process runtime uses the node's own Python, the container runtime `image_url`.
 */
export interface PresetEngine {
  id: string;
  name: string;
  version: string;
}

export const PRESET_ENGINES: readonly PresetEngine[] = [
  { id: 'pytorch-2.1', name: 'PyTorch', version: '2.1' },
  { id: 'pytorch-1.13', name: 'PyTorch', version: '1.13' },
  { id: 'tensorflow-2.13', name: 'TensorFlow', version: '2.13' },
  { id: 'mindspore-2.2', name: 'MindSpore', version: '2.2' },
  { id: 'mindspore-gpu-2.2', name: 'MindSpore-GPU', version: '2.2' },
  { id: 'ascend-powered-engine-2.2', name: 'Ascend-Powered-Engine', version: '2.2' },
  { id: 'horovod-0.28', name: 'Horovod', version: '0.28' },
  { id: 'mpi-4.1', name: 'MPI', version: '4.1' },
];

export const engineById = (id: string): PresetEngine | undefined => PRESET_ENGINES.find((e) => e.id === id);
