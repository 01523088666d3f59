import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aLaunchContext, withMethod } from './launch-context.fixture';
import { rankTable } from './rank-table';
import { ranktableLaunch } from './ranktable-launcher';

const hosts = ['192.168.0.25', '192.168.0.26'];
const ascend = (npu: number) => ({ cpu: 8, memoryMiB: 1024, npu });

describe('rank table launcher', () => {
  it('rank table - the boot file runs once per card, each with ASCEND_DEVICE_ID, DEVICE_ID and the job-wide RANK_ID (L331-344, L363-367)', () => {
    const plan = ranktableLaunch(aLaunchContext({ task: 'worker-1', index: 1, hosts, flavor: ascend(4), algorithm: withMethod('ranktable') }));
    const boot = ['python', '/w/jobs/j1/worker-1/1/modelarts/user-job-dir/ddp/train.py'];
    expect(plan.processes).toEqual([0, 1, 2, 3].map((d) => ({ argv: boot, env: { ASCEND_DEVICE_ID: String(d), DEVICE_ID: String(d), RANK_ID: String(4 + d) } })));
    expect(plan.env).toEqual({ RANK_SIZE: '8' });
  });

  it('rank table - single card: ASCEND_DEVICE_ID is 0 and the boot file runs in the foreground (L340, L331-334)', () => {
    const plan = ranktableLaunch(aLaunchContext({ flavor: ascend(1), algorithm: withMethod('ranktable', { parameters: [{ name: 'lr', value: '0.1' }] }) }));
    expect(plan.command).toBe("ASCEND_DEVICE_ID='0' DEVICE_ID='0' RANK_ID='0' python /w/jobs/j1/worker-0/1/modelarts/user-job-dir/ddp/train.py --lr=0.1");
    expect(plan.env).toEqual({ RANK_SIZE: '1' });
  });

  it('rank table - every copy really gets its own variables and the task waits for all of them (L331-344)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ty-rtf-'));
    try {
      const ctx = aLaunchContext({ flavor: ascend(3), algorithm: withMethod('ranktable') }, { MA_SCRIPT_INTERPRETER: 'sh' });
      const plan = ranktableLaunch({ ...ctx, paths: { ...ctx.paths, home: dir } });
      // The "boot file" becomes a shell snippet that prints its variables.
      const command = plan.command.replaceAll('/w/jobs/j1/worker-0/1/modelarts/user-job-dir/ddp/train.py', `-c 'sleep 0.$RANK_ID; echo "$ASCEND_DEVICE_ID/$RANK_ID/$RANK_SIZE"'`);
      const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { PATH: process.env.PATH, RANK_SIZE: plan.env.RANK_SIZE } });
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split('\n').sort()).toEqual(['0/0/3', '1/1/3', '2/2/3']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rank table file - template 2: one group, an instance per task with its devices, strings only, status completed (L1039-1056)', () => {
    const a = aLaunchContext({ hosts, flavor: ascend(2) }).assignment;
    expect(rankTable(a, hosts, 2)).toEqual({
      group_count: '1',
      group_list: [
        {
          device_count: '4',
          group_name: 'job-trainjob',
          instance_count: '2',
          instance_list: [
            { devices: [{ device_id: '0', device_ip: '192.168.0.25' }, { device_id: '1', device_ip: '192.168.0.25' }], pod_name: 'modelarts-job-j1-worker-0', server_id: '192.168.0.25' },
            { devices: [{ device_id: '0', device_ip: '192.168.0.26' }, { device_id: '1', device_ip: '192.168.0.26' }], pod_name: 'modelarts-job-j1-worker-1', server_id: '192.168.0.26' },
          ],
        },
      ],
      status: 'completed',
    });
  });

  it('rank table file - device_id is the card the scheduler gave each instance (issue 14; ch14 L10176-10209 counts device ids per node)', () => {
    const a = { ...aLaunchContext({ hosts, flavor: ascend(2) }).assignment, devices: ['6', '7'], devicesByIndex: [['6', '7'], ['2', '3']] };
    const ids = rankTable(a, hosts, 2).group_list[0].instance_list.map((i) => i.devices.map((d) => d.device_id));
    expect(ids).toEqual([['6', '7'], ['2', '3']]);
  });
});
