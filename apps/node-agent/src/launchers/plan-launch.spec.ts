import { describe, expect, it } from 'vitest';
import { BootCommandError } from '../boot-command';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { planLaunch } from './plan-launch';

const rankTablePath = '/w/jobs/j1/worker-0/1/rank_table/jobstart_hccl.json';

describe('plan launch', () => {
  it('plan launch - a custom command is the command plus the quoted arguments (L2851-2867)', () => {
    const plan = planLaunch(aLaunchContext({ algorithm: { command: 'python3 ${MA_JOB_DIR}/ddp/train.py', parameters: [{ name: 'lr', value: '0.1' }] } }));
    expect(plan).toEqual({ launcher: 'command', command: "python3 ${MA_JOB_DIR}/ddp/train.py --lr='0.1'", env: {}, files: [], processes: [] });
  });

  it('plan launch - a preset boot file under another engine runs once with the interpreter (L2782-2785, L12087-12092)', () => {
    const ctx = aLaunchContext({ algorithm: { engine: { name: 'XGBoost', version: '1' }, codeDir: '/srv/code/ddp', bootFile: 'sub/train.py' } }, { MA_SCRIPT_INTERPRETER: '/usr/bin/python3 -u' });
    expect(planLaunch(ctx).command).toBe('/usr/bin/python3 -u /w/jobs/j1/worker-0/1/modelarts/user-job-dir/ddp/sub/train.py');
  });

  it('plan launch - the rank-table method writes jobstart_hccl.json and sets RANK_TABLE_FILE to it (L338, L1021-1023)', () => {
    const plan = planLaunch(aLaunchContext({ flavor: { cpu: 1, memoryMiB: 1, npu: 2 }, algorithm: withMethod('ranktable') }));
    expect(plan.env).toEqual({ RANK_TABLE_FILE: rankTablePath, RANK_SIZE: '2' });
    expect(plan.files.map((f) => f.path)).toEqual([rankTablePath]);
    expect(JSON.parse(plan.files[0]!.content).status).toBe('completed');
  });

  it('plan launch - any NPU flavor gets the rank table, whatever the launcher (L1007-1013)', () => {
    const plan = planLaunch(aLaunchContext({ flavor: { cpu: 1, memoryMiB: 1, npu: 8 }, algorithm: withMethod('torchrun') }));
    expect(plan.env.RANK_TABLE_FILE).toBe(rankTablePath);
    expect(plan.launcher).toBe('torchrun');
  });

  it('plan launch - msrun with MS_RANKTABLE_ENABLE="True" writes the table it names (L472-474)', () => {
    const plan = planLaunch(aLaunchContext({ algorithm: withMethod('msrun') }, { MS_RANKTABLE_ENABLE: 'True' }));
    expect(plan.files.map((f) => f.path)).toEqual([rankTablePath]);
    expect(plan.processes[0]!.argv).toContain(`--rank_table_file=${rankTablePath}`);
  });

  it('plan launch - every launcher ends each process with the user arguments, quoted in the command (L2851-2867)', () => {
    const userArgs = { parameters: [{ name: 'lr', value: "0.1; rm -rf / '" }], outputs: [{ name: 'train_url', path: '/srv/out dir' }] };
    for (const method of ['torchrun', 'msrun', 'ranktable', 'pytorch-gpu', 'tensorflow-ps', 'mpi'] as const) {
      const plan = planLaunch(aLaunchContext({ hosts: ['10.0.0.5', '10.0.0.6'], flavor: { cpu: 1, memoryMiB: 1, npu: 2 }, algorithm: withMethod(method, userArgs) }));
      expect(plan.processes.length, method).toBeGreaterThan(0);
      for (const p of plan.processes) expect(p.argv.slice(-2), method).toEqual(["--lr=0.1; rm -rf / '", '--train_url=/srv/out dir']);
      expect(plan.command, method).toContain(`'--lr=0.1; rm -rf / '\\''' '--train_url=/srv/out dir'`);
    }
  });

  it('plan launch - a CPU torchrun job writes no rank table', () =>
    expect(planLaunch(aLaunchContext({ algorithm: withMethod('torchrun') })).files).toEqual([]));

  it('plan launch - a launcher without a boot file, or custom without a command, cannot start', () => {
    expect(() => planLaunch(aLaunchContext({ algorithm: { launchMethod: 'torchrun', command: 'x' } }))).toThrow(BootCommandError);
    expect(() => planLaunch(aLaunchContext({ algorithm: { launchMethod: 'custom' } }))).toThrow(/needs algorithm.command/);
  });
});
