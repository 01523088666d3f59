import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { buildTaskEnvironment } from './task-environment';
import { taskPaths } from './task-paths';

const workDir = '/var/lib/ty/node-a';
const assignment = anAssignment({
  jobId: 'a0978141',
  task: 'worker-1',
  index: 1,
  attempt: 3,
  scheduleCount: 2,
  procStartCount: 4,
  flavor: { cpu: 8, memoryMiB: 65536, gpu: 8 },
  hosts: ['10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8'],
});
const node = { host: '10.0.0.6', paths: taskPaths(workDir, assignment) };
const env = buildTaskEnvironment(assignment, node);
const home = '/var/lib/ty/node-a/jobs/a0978141/worker-1/3';

describe('task environment - paths (Table 14-16)', () => {
  it('MA_HOME is the attempt home on this node (L12029-12037)', () => expect(env.MA_HOME).toBe(home));
  it('MA_MOUNT_PATH is ${MA_HOME}/modelarts (L12055-12072)', () => expect(env.MA_MOUNT_PATH).toBe(`${home}/modelarts`));
  it('MA_JOB_DIR is ${MA_MOUNT_PATH}/user-job-dir (L12039-12053)', () =>
    expect(env.MA_JOB_DIR).toBe(`${home}/modelarts/user-job-dir`));
  it('MA_LOG_DIR is ${MA_MOUNT_PATH}/log (L12074-12085)', () => expect(env.MA_LOG_DIR).toBe(`${home}/modelarts/log`));
});

describe('task environment - distributed training (Table 14-17)', () => {
  it('MA_CURRENT_IP is the node host (L12099-12113)', () => expect(env.MA_CURRENT_IP).toBe('10.0.0.6'));
  it('MA_NUM_GPUS is the flavor gpu count (L12115-12121)', () => expect(env.MA_NUM_GPUS).toBe('8'));
  it('MA_NUM_GPUS counts npus on an Ascend flavor (L12115-12121)', () =>
    expect(buildTaskEnvironment(anAssignment({ flavor: { cpu: 1, memoryMiB: 1, npu: 4 } }), node).MA_NUM_GPUS).toBe('4'));
  it('MA_NUM_GPUS defaults to 0 (L12115-12121)', () =>
    expect(buildTaskEnvironment(anAssignment({ flavor: { cpu: 1, memoryMiB: 1 } }), node).MA_NUM_GPUS).toBe('0'));
  it('MA_TASK_NAME is worker (L12123-12139)', () => expect(env.MA_TASK_NAME).toBe('worker'));
  it('MA_NUM_HOSTS is the instance count (L12141-12148)', () => expect(env.MA_NUM_HOSTS).toBe('4'));
  it('VC_TASK_INDEX is the 0-based task index (L12150-12161)', () => expect(env.VC_TASK_INDEX).toBe('1'));
  it('VC_WORKER_NUM is the instance count (L12163-12169)', () => expect(env.VC_WORKER_NUM).toBe('4'));
  it('VC_WORKER_HOSTS lists every host in index order, comma-separated (L12174-12216)', () =>
    expect(env.VC_WORKER_HOSTS).toBe('10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8'));
  it('MA_VJ_NAME is modelarts-job-<jobId> (L12217-12272)', () => expect(env.MA_VJ_NAME).toBe('modelarts-job-a0978141'));
  it('single-node defaults: MA_NUM_HOSTS=1, VC_TASK_INDEX=0, VC_WORKER_NUM=1 (L12141-12169)', () => {
    const one = buildTaskEnvironment(anAssignment(), { host: '127.0.0.1', paths: taskPaths(workDir, anAssignment()) });
    expect([one.MA_NUM_HOSTS, one.VC_TASK_INDEX, one.VC_WORKER_NUM, one.VC_WORKER_HOSTS]).toEqual(['1', '0', '1', '127.0.0.1']);
  });
});

describe('task environment - job metadata and restart counters', () => {
  it('MA_CURRENT_INSTANCE_NAME is modelarts-job-<jobId>-worker-<index> (L12469-12493)', () =>
    expect(env.MA_CURRENT_INSTANCE_NAME).toBe('modelarts-job-a0978141-worker-1'));
  it('MA_SCHEDULE_CNT is the schedule count of the task (L8122-8127)', () => expect(env.MA_SCHEDULE_CNT).toBe('2'));
  it('MA_PROC_START_CNT is the script start count (L8131-8140)', () => expect(env.MA_PROC_START_CNT).toBe('4'));
  it('JOB_ID is the job id (L363)', () => expect(env.JOB_ID).toBe('a0978141'));
});

describe('task environment - pre-check and hang detection (Tables 14-22, 14-23)', () => {
  it('MA_HANG_DETECT_TIME is preset to 30 minutes (L7715, L12522-12534)', () => expect(env.MA_HANG_DETECT_TIME).toBe('30'));
  it('MA_SKIP_IMAGE_DETECT is not set by default: the pre-check is on (L12501-12515)', () => expect(env).not.toHaveProperty('MA_SKIP_IMAGE_DETECT'));
  it('the user sets both (L11967-11968)', () => {
    const a = anAssignment({ algorithm: { command: 'env', environments: { MA_SKIP_IMAGE_DETECT: '0', MA_HANG_DETECT_TIME: '60' } } });
    expect(buildTaskEnvironment(a, node)).toMatchObject({ MA_SKIP_IMAGE_DETECT: '0', MA_HANG_DETECT_TIME: '60' });
  });
});

describe('task environment - preset framework', () => {
  it('PYTHONPATH is MA_JOB_DIR when a boot file runs (L2774-2790)', () => {
    const a = anAssignment({ algorithm: { engine: { name: 'PyTorch', version: '1.13' }, codeDir: '/srv/c', bootFile: 't.py' } });
    expect(buildTaskEnvironment(a, node).PYTHONPATH).toBe(node.paths.jobDir);
    expect(env).not.toHaveProperty('PYTHONPATH');
  });
  it('MA_SCRIPT_INTERPRETER is not set by default (L12087-12092)', () => expect(env).not.toHaveProperty('MA_SCRIPT_INTERPRETER'));
});

describe('task environment - NCCL (Table 14-18)', () => {
  it('NCCL_DEBUG=INFO (L12293)', () => expect(env.NCCL_DEBUG).toBe('INFO'));
  it('NCCL_IB_TIMEOUT=18 (L12310-12316)', () => expect(env.NCCL_IB_TIMEOUT).toBe('18'));
  it('NCCL_IB_RETRY_CNT=15 (L12318-12324)', () => expect(env.NCCL_IB_RETRY_CNT).toBe('15'));
  it('NCCL_IB_GID_INDEX=3 (L12326-12332)', () => expect(env.NCCL_IB_GID_INDEX).toBe('3'));
  it('NCCL_IB_TC=128 (L12334)', () => expect(env.NCCL_IB_TC).toBe('128'));
  it('NCCL_NET_PLUGIN=none (L12354-12360)', () => expect(env.NCCL_NET_PLUGIN).toBe('none'));
  it('machine-dependent NCCL variables are not invented (L12280-12352)', () => {
    expect(env).not.toHaveProperty('NCCL_VERSION');
    expect(env).not.toHaveProperty('NCCL_IB_HCA');
    expect(env).not.toHaveProperty('NCCL_SOCKET_IFNAME');
  });
});

describe('task environment - user variables and data channels', () => {
  it('user environments are added and may override presets (L11967-11968)', () => {
    const a = anAssignment({ algorithm: { command: 'env', environments: { NCCL_DEBUG: 'WARN', MY_FLAG: '1' } } });
    const e = buildTaskEnvironment(a, node);
    expect(e.NCCL_DEBUG).toBe('WARN');
    expect(e.MY_FLAG).toBe('1');
  });
  it('inputs and outputs read as environment variables are <name>=<path> (L1577-1592)', () => {
    const a = anAssignment({
      algorithm: {
        command: 'env',
        inputs: [{ name: 'data_path', path: '/srv/data', accessMethod: 'env' }, { name: 'data_url', path: '/srv/other' }],
        outputs: [{ name: 'train_url', path: '/srv/out', accessMethod: 'env' }],
      },
    });
    const e = buildTaskEnvironment(a, node);
    expect(e.data_path).toBe('/srv/data');
    expect(e.train_url).toBe('/srv/out');
    expect(e).not.toHaveProperty('data_url'); // read as a parameter instead (L1577-1592)
  });
  it('PYTHONUNBUFFERED=1, so Python output is live on every launcher; a user may turn it off (issue 9)', () => {
    expect(env.PYTHONUNBUFFERED).toBe('1');
    const off = buildTaskEnvironment(anAssignment({ algorithm: { command: 'x', environments: { PYTHONUNBUFFERED: '' } } }), node);
    expect(off.PYTHONUNBUFFERED).toBe('');
  });

  it('the exact variable set, so nothing is added unnoticed', () =>
    expect(Object.keys(env).sort()).toEqual(
      [
        'JOB_ID', 'MA_CURRENT_INSTANCE_NAME', 'MA_CURRENT_IP', 'MA_HANG_DETECT_TIME', 'MA_HOME', 'MA_JOB_DIR', 'MA_LOG_DIR', 'MA_MOUNT_PATH',
        'MA_NUM_GPUS', 'MA_NUM_HOSTS', 'MA_PROC_START_CNT', 'MA_SCHEDULE_CNT', 'MA_TASK_NAME', 'MA_VJ_NAME',
        'MA_PREEMPTION_NOTICE_FILE', 'MA_CHECKPOINT_ACK_FILE',
        'NCCL_DEBUG', 'NCCL_IB_GID_INDEX', 'NCCL_IB_RETRY_CNT', 'NCCL_IB_TC', 'NCCL_IB_TIMEOUT', 'NCCL_NET_PLUGIN',
        'PYTHONUNBUFFERED', 'VC_TASK_INDEX', 'VC_WORKER_HOSTS', 'VC_WORKER_NUM',
      ].sort(),
    ));
});
