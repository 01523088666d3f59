import { describe, expect, it } from 'vitest';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { torchrunLaunch, withOverrides } from './torchrun-launcher';

const script = (task: string) => `/w/jobs/j1/${task}/1/modelarts/user-job-dir/ddp/train.py`;
const four = ['10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8'];
/** The platform's output flags after the guide's (live logs, issue 9). */
const output = (task: string) => [`--log_dir=/w/jobs/j1/${task}/1/modelarts/log/torchrun`, '--redirects=1', '--tee=1'];

describe('torchrun launcher', () => {
  it('torchrun - single node: --standalone --nnodes=1 --nproc_per_node=<cards> <boot file> <args> (L382-384)', () => {
    const plan = torchrunLaunch(
      aLaunchContext({ flavor: { cpu: 8, memoryMiB: 1024, npu: 8 }, algorithm: withMethod('torchrun', { parameters: [{ name: 'lr', value: '0.1' }] }) }),
    );
    expect(plan.processes[0]!.argv).toEqual(['torchrun', '--standalone', '--nnodes=1', '--nproc_per_node=8', ...output('worker-0'), script('worker-0'), '--lr=0.1']);
    expect(plan.command).toBe(`torchrun --standalone --nnodes=1 --nproc_per_node=8 ${output('worker-0').join(' ')} ${script('worker-0')} --lr=0.1`);
  });

  it('torchrun - multi node: --nnodes --nproc_per_node --node_rank --master_addr=<worker-0> --master_port=18888 --rdzv_id=<job> --rdzv_backend=static (L386-390, L393-417)', () => {
    const plan = torchrunLaunch(aLaunchContext({ task: 'worker-2', index: 2, hosts: four, flavor: { cpu: 8, memoryMiB: 1024, gpu: 8 }, algorithm: withMethod('torchrun') }));
    expect(plan.processes[0]!.argv).toEqual([
      'torchrun', '--nnodes=4', '--nproc_per_node=8', '--node_rank=2', '--master_addr=10.0.0.5', '--master_port=18888',
      '--rdzv_id=j1', '--rdzv_backend=static', ...output('worker-2'), script('worker-2'),
    ]);
  });

  it('torchrun - MA_TORCHRUN_MASTER_PORT replaces the default 18888 (L409-412), and both are in the environment', () => {
    const ctx = aLaunchContext({ hosts: four.slice(0, 2), algorithm: withMethod('torchrun') }, { MA_TORCHRUN_MASTER_PORT: '29500' });
    const plan = torchrunLaunch(ctx);
    expect(plan.processes[0]!.argv).toContain('--master_port=29500');
    expect(plan.env).toEqual({ MA_RUN_METHOD: 'torchrun', MA_TORCHRUN_MASTER_PORT: '29500' });
    expect(torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun') })).env).toEqual({ MA_RUN_METHOD: 'torchrun', MA_TORCHRUN_MASTER_PORT: '18888' });
  });

  it('torchrun - MA_EXTRA_TORCHRUN_PARAMS goes after the preset flags and before the boot file (L384, L421-427)', () => {
    // examples/ddp's setting: the user's --redirects/--tee replace the platform's (same values).
    const plan = torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun') }, { MA_EXTRA_TORCHRUN_PARAMS: '--rdzv_conf=timeout=7200  --redirects 1 --tee 1' }));
    expect(plan.processes[0]!.argv).toEqual([
      'torchrun', '--standalone', '--nnodes=1', '--nproc_per_node=1', output('worker-0')[0], '--rdzv_conf=timeout=7200', '--redirects', '1', '--tee', '1', script('worker-0'),
    ]);
  });

  it('torchrun - the platform\'s output flags (issue 9): the per-rank files in MA_LOG_DIR, stdout teed with rank prefixes; overridable', () => {
    expect(torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun') })).processes[0]!.argv).toEqual(expect.arrayContaining(output('worker-0')));
    const own = torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun') }, { MA_EXTRA_TORCHRUN_PARAMS: '--tee=3 --log-dir=/scratch/tr' })).processes[0]!.argv;
    expect(own.filter((w) => /^--(tee|log.dir|redirects)/.test(w))).toEqual(['--redirects=1', '--tee=3', '--log-dir=/scratch/tr']);
  });

  it('torchrun - MA_EXTRA_TORCHRUN_PARAMS overrides a preset flag, which then appears once (L421-423)', () => {
    const plan = torchrunLaunch(
      aLaunchContext({ hosts: four.slice(0, 2), algorithm: withMethod('torchrun') }, { MA_EXTRA_TORCHRUN_PARAMS: '--nproc-per-node=3 --master_port=1234' }),
    );
    const argv = plan.processes[0]!.argv;
    expect(argv.filter((w) => w.startsWith('--nproc'))).toEqual(['--nproc-per-node=3']);
    expect(argv.filter((w) => w.startsWith('--master_port'))).toEqual(['--master_port=1234']);
    expect(withOverrides(['--standalone', '--nnodes=1'], ['--nnodes', '2'])).toEqual(['--standalone', '--nnodes', '2']);
  });

  it('torchrun - a CPU flavor starts processesPerNode workers; without it, one', () => {
    expect(torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun', { processesPerNode: 2 }) })).processes[0]!.argv).toContain('--nproc_per_node=2');
    expect(torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun') })).processes[0]!.argv).toContain('--nproc_per_node=1');
  });

  it('torchrun - MA_SCRIPT_INTERPRETER runs torchrun as <interpreter> -m torch.distributed.run (L12087-12092)', () => {
    const plan = torchrunLaunch(aLaunchContext({ algorithm: withMethod('torchrun') }, { MA_SCRIPT_INTERPRETER: '/usr/bin/python3' }));
    expect(plan.processes[0]!.argv.slice(0, 4)).toEqual(['/usr/bin/python3', '-m', 'torch.distributed.run', '--standalone']);
  });

  it('torchrun - hyperparameters and inputs are quoted words at the very end (L2851-2867)', () => {
    const plan = torchrunLaunch(
      aLaunchContext({ algorithm: withMethod('torchrun', { parameters: [{ name: 'note', value: "a b'$(id)" }], inputs: [{ name: 'data_url', path: '/srv/d' }] }) }),
    );
    expect(plan.command.endsWith(` ${script('worker-0')} '--note=a b'\\''$(id)' --data_url=/srv/d`)).toBe(true);
  });
});
