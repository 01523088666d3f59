import { describe, expect, it } from 'vitest';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { platformPort } from './platform-port';
import { pytorchGpuLaunch } from './pytorch-gpu-launcher';

const boot = (task: string) => ['python', `/w/jobs/j1/${task}/1/modelarts/user-job-dir/ddp/train.py`];

describe('pytorch-gpu launcher', () => {
  it('pytorch-gpu - single node: the boot file gets --init_method "tcp://<ip>:<port>" (L480)', () => {
    const plan = pytorchGpuLaunch(aLaunchContext({ flavor: { cpu: 8, memoryMiB: 1024, gpu: 8 }, algorithm: withMethod('pytorch-gpu') }));
    expect(plan.processes[0]!.argv).toEqual([...boot('worker-0'), '--init_method', `tcp://127.0.0.1:${platformPort('j1', 1, 'pytorch-gpu')}`]);
  });

  it('pytorch-gpu - multi node: --init_method tcp://<worker-0>:<port> --rank <index> --world_size <node count>, then the user arguments (L482-483)', () => {
    const hosts = ['10.0.0.5', '10.0.0.6', '10.0.0.7'];
    const plan = pytorchGpuLaunch(aLaunchContext({ task: 'worker-2', index: 2, hosts, algorithm: withMethod('pytorch-gpu', { parameters: [{ name: 'epochs', value: '3' }] }) }));
    const port = platformPort('j1', 1, 'pytorch-gpu');
    expect(plan.processes[0]!.argv).toEqual([...boot('worker-2'), '--init_method', `tcp://10.0.0.5:${port}`, '--rank', '2', '--world_size', '3', '--epochs=3']);
    expect(plan.command).toBe(`python /w/jobs/j1/worker-2/1/modelarts/user-job-dir/ddp/train.py --init_method tcp://10.0.0.5:${port} --rank 2 --world_size 3 --epochs=3`);
  });
});
