import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { deviceOptions } from './container-create-options';
import { deviceEnvironment, taskDevices } from './task-devices';

describe('task devices - what a task is handed of its cards (issue 14)', () => {
  const gpus = taskDevices(anAssignment({ flavor: { cpu: 1, memoryMiB: 1, gpu: 2 }, devices: ['4', '5'] }));
  const npus = taskDevices(anAssignment({ flavor: { cpu: 1, memoryMiB: 1, npu: 2 }, devices: ['2', '3'] }));

  it('a host process is confined by CUDA_VISIBLE_DEVICES / ASCEND_VISIBLE_DEVICES naming its host ids', () => {
    expect(deviceEnvironment(gpus, 'process')).toEqual({ CUDA_VISIBLE_DEVICES: '4,5' });
    expect(deviceEnvironment(npus, 'process')).toEqual({ ASCEND_VISIBLE_DEVICES: '2,3' });
  });

  it('a container gets the toolkit variables (its CUDA numbering starts at 0 inside), and the device request', () => {
    expect(deviceEnvironment(gpus, 'container')).toEqual({ NVIDIA_VISIBLE_DEVICES: '4,5' });
    expect(deviceOptions(gpus)).toEqual({ DeviceRequests: [{ Driver: 'nvidia', DeviceIDs: ['4', '5'], Capabilities: [['gpu']] }] });
    expect(deviceOptions(npus).Devices?.map((d: { PathOnHost?: string }) => d.PathOnHost)).toEqual(['/dev/davinci2', '/dev/davinci3', '/dev/davinci_manager', '/dev/devmm_svm', '/dev/hisi_hdc']);
  });

  it('a task given no cards gets neither variables nor requests', () => {
    const none = taskDevices(anAssignment({ flavor: { cpu: 1, memoryMiB: 1, gpu: 1 } }));
    expect(none).toBeUndefined();
    expect(deviceEnvironment(none, 'process')).toEqual({});
    expect(deviceOptions(none)).toEqual({});
  });
});
