import { describe, expect, it } from 'vitest';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { msrunLaunch } from './msrun-launcher';
import { platformPort } from './platform-port';

const hosts = ['10.0.0.5', '10.0.0.6'];
const ascend = { cpu: 8, memoryMiB: 1024, npu: 8 };

describe('msrun launcher', () => {
  it('msrun - the guide template: worker_num = all cards, local_worker_num = this node\'s, node_rank, join, cluster_time_out 600 (L441-475)', () => {
    const ctx = aLaunchContext({ task: 'worker-1', index: 1, hosts, flavor: ascend, algorithm: withMethod('msrun', { parameters: [{ name: 'epochs', value: '2' }] }) });
    const plan = msrunLaunch(ctx);
    expect(plan.processes[0]!.argv).toEqual([
      'msrun', '--worker_num=16', '--local_worker_num=8', '--master_addr=10.0.0.5', '--node_rank=1',
      `--master_port=${platformPort('j1', 1, 'msrun')}`, '--log_dir=/w/jobs/j1/worker-1/1/modelarts/log', '--join=True',
      '--cluster_time_out=600', '/w/jobs/j1/worker-1/1/modelarts/user-job-dir/ddp/train.py', '--epochs=2',
    ]);
    expect(plan.env).toEqual({ MA_RUN_METHOD: 'msrun', MSRUN_CLUSTER_TIME_OUT: '600' });
  });

  it('msrun - MSRUN_CLUSTER_TIME_OUT sets --cluster_time_out (L469-470)', () => {
    const plan = msrunLaunch(aLaunchContext({ flavor: ascend, algorithm: withMethod('msrun') }, { MSRUN_CLUSTER_TIME_OUT: '1200' }));
    expect(plan.processes[0]!.argv).toContain('--cluster_time_out=1200');
    expect(plan.env.MSRUN_CLUSTER_TIME_OUT).toBe('1200');
  });

  it('msrun - --rank_table_file only when MS_RANKTABLE_ENABLE="True" (L437-439, L472-474)', () => {
    const has = (env: Record<string, string>) =>
      msrunLaunch(aLaunchContext({ flavor: ascend, algorithm: withMethod('msrun') }, env)).processes[0]!.argv.filter((w) => w.startsWith('--rank_table_file'));
    expect(has({})).toEqual([]);
    expect(has({ MS_RANKTABLE_ENABLE: 'true' })).toEqual([]);
    expect(has({ MS_RANKTABLE_ENABLE: 'True' })).toEqual(['--rank_table_file=/w/jobs/j1/worker-0/1/rank_table/jobstart_hccl.json']);
  });

  it('msrun - every instance agrees on the master address and port', () => {
    const argvOf = (index: number) =>
      msrunLaunch(aLaunchContext({ task: `worker-${index}`, index, hosts, flavor: ascend, algorithm: withMethod('msrun') })).processes[0]!.argv;
    const master = (argv: readonly string[]) => argv.filter((w) => w.startsWith('--master_'));
    expect(master(argvOf(0))).toEqual(master(argvOf(1)));
  });
});
