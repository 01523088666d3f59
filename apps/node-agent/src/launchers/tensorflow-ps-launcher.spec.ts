import { describe, expect, it } from 'vitest';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { platformPort, PLATFORM_PORT_RANGE } from './platform-port';
import { tensorflowPsLaunch } from './tensorflow-ps-launcher';

const hosts = ['10.0.0.5', '10.0.0.6'];
const boot = ['python', '/w/jobs/j1/worker-1/1/modelarts/user-job-dir/ddp/train.py'];

describe('tensorflow ps/worker launcher', () => {
  it('tensorflow-ps - multi node: one ps and one worker per instance, each with --task_index --ps_hosts --worker_hosts --job_name (L495-501)', () => {
    const plan = tensorflowPsLaunch(aLaunchContext({ task: 'worker-1', index: 1, hosts, algorithm: withMethod('tensorflow-ps', { parameters: [{ name: 'lr', value: '0.1' }] }) }));
    const port = (n: number) => platformPort('j1', 1, 'tensorflow-ps', n);
    const ps = `10.0.0.5:${port(0)},10.0.0.6:${port(2)}`;
    const workers = `10.0.0.5:${port(1)},10.0.0.6:${port(3)}`;
    const args = (job: string) => [...boot, '--task_index', '1', '--ps_hosts', ps, '--worker_hosts', workers, '--job_name', job, '--lr=0.1'];
    expect(plan.processes).toEqual([
      { argv: args('ps'), env: { MA_TASK_NAME: 'ps' }, companion: true },
      { argv: args('worker'), env: { MA_TASK_NAME: 'worker' } },
    ]);
    expect(plan.env).toEqual({ TF_PS_HOSTS: ps, TF_WORKER_HOSTS: workers });
  });

  it('tensorflow-ps - ports are in 5000–10000 and distinct across the job (L510-519)', () => {
    const plan = tensorflowPsLaunch(aLaunchContext({ hosts: ['h', 'h', 'h'], algorithm: withMethod('tensorflow-ps') }));
    const ports = `${plan.env.TF_PS_HOSTS},${plan.env.TF_WORKER_HOSTS}`.split(',').map((e) => Number(e.split(':')[1]));
    expect(new Set(ports).size).toBe(6);
    for (const p of ports) expect(p >= PLATFORM_PORT_RANGE.min && p <= PLATFORM_PORT_RANGE.max).toBe(true);
  });

  it('tensorflow-ps - single node: the boot file runs once as worker, nothing injected (L492-493)', () => {
    const plan = tensorflowPsLaunch(aLaunchContext({ algorithm: withMethod('tensorflow-ps') }));
    expect(plan.command).toBe('python /w/jobs/j1/worker-0/1/modelarts/user-job-dir/ddp/train.py');
    expect(plan.env).toEqual({ MA_TASK_NAME: 'worker' });
  });
});
