import os from 'node:os';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, DEFAULT_INHERIT_ENV, loadAgentConfig, parseLabels, subjectSafe } from './agent-config';

describe('agent config', () => {
  it('agent config - defaults come from the machine', () => {
    const c = loadAgentConfig({});
    expect(c.nodeId).toBe(subjectSafe(os.hostname()));
    expect(c).toMatchObject({ host: '127.0.0.1', pool: 'default', labels: {}, heartbeatMs: 5000, stopGraceMs: 30_000 });
    expect(c.capacity).toEqual({ cpu: os.availableParallelism(), memoryMiB: Math.floor(os.totalmem() / 2 ** 20), gpu: 0, npu: 0 });
    expect(c.workDir).toBe(resolve(`.data/agents/${c.nodeId}`));
    expect(c.natsServers).toEqual(['nats://127.0.0.1:4222']);
    expect(c.inheritEnv).toEqual(DEFAULT_INHERIT_ENV);
    expect(c).toMatchObject({ cacheDir: `${c.workDir}/cache`, onShutdown: 'stop-tasks', preflight: { enabled: true } });
  });
  it('agent config - environment variables set every field', () => {
    const c = loadAgentConfig({
      TY_NODE_ID: 'gpu-07', TY_NODE_HOST: '10.0.0.7', TY_NODE_POOL: 'a100', TY_NODE_LABELS: 'zone=a, rack=3',
      TY_NODE_CPU: '64', TY_NODE_MEMORY_MIB: '512000', TY_NODE_GPU: '8', TY_NODE_NPU: '0', TY_NODE_ACCELERATOR_TYPE: 'nvidia-a100',
      TY_NODE_WORK_DIR: '/var/lib/ty', TY_HEARTBEAT_MS: '1000', TY_STOP_GRACE_MS: '500',
      TY_NATS_URL: 'nats://a:4222,nats://b:4222', TY_TASK_INHERIT_ENV: 'PATH',
      TY_NODE_CACHE_DIR: '/nvme/cache', TY_CONTAINER_SOCKET: '/run/docker.sock', TY_CONTAINER_SHM_MIB: '1024', TY_ON_SHUTDOWN: 'leave-tasks',
      TY_PREFLIGHT: 'off', TY_PREFLIGHT_ROOT_MIN_GIB: '64', TY_NODE_INFINIBAND: 'true', TY_PREFLIGHT_PATH: '/opt/nvidia/bin',
      TY_SSHD: '/opt/ssh/sbin/sshd', TY_HOSTS_FILE: '/run/ty/hosts',
      TY_TASK_USER: 'agent', TY_POOL_DEDICATED: '1',
    });
    expect(c).toEqual({
      nodeId: 'gpu-07', host: '10.0.0.7', pool: 'a100', labels: { zone: 'a', rack: '3' },
      capacity: { cpu: 64, memoryMiB: 512000, gpu: 8, npu: 0, acceleratorType: 'nvidia-a100' },
      devices: { gpu: ['0', '1', '2', '3', '4', '5', '6', '7'] },
      staging: { stores: [], retry: { attempts: 10, firstWaitMs: 100 }, syncMs: 5000 },
      sshTrust: { sshd: '/opt/ssh/sbin/sshd', hostsFile: '/run/ty/hosts' },
      workDir: '/var/lib/ty', heartbeatMs: 1000, stopGraceMs: 500, natsServers: ['nats://a:4222', 'nats://b:4222'], inheritEnv: ['PATH'],
      cacheDir: '/nvme/cache', container: { socketPath: '/run/docker.sock', shmSizeBytes: 2 ** 30 }, onShutdown: 'leave-tasks',
      preflight: expect.objectContaining({ enabled: false, rootMinFreeBytes: 64 * 2 ** 30, infiniband: true, toolPath: '/opt/nvidia/bin' }),
      taskUsers: { mode: 'agent', dedicatedPool: true },
    });
    expect(() => loadAgentConfig({ TY_ON_SHUTDOWN: 'explode' })).toThrow(/TY_ON_SHUTDOWN=explode/);
    // Secure by default: tasks run as their jobs' users, and uids below 1000 need a dedicated pool.
    expect(loadAgentConfig({}).taskUsers).toEqual({ mode: 'job', dedicatedPool: false });
    expect(() => loadAgentConfig({ TY_TASK_USER: 'root' })).toThrow(/TY_TASK_USER=root must be job or agent/);
    expect(() => loadAgentConfig({ TY_POOL_DEDICATED: 'yes' })).toThrow(/TY_POOL_DEDICATED=yes/);
  });
  it('agent config - the SSH trust secret is read from a 0600 file only, and never shows in the config\'s text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-config-'));
    try {
      const file = join(dir, 'ssh-trust.secret');
      const value = 'a-cluster-secret-of-at-least-thirty-two-bytes';
      writeFileSync(file, `${value}\n`, { mode: 0o644 });
      expect(() => loadAgentConfig({ TY_SSH_TRUST_SECRET_FILE: file })).toThrow(/readable by others/);
      chmodSync(file, 0o600);
      const c = loadAgentConfig({ TY_SSH_TRUST_SECRET_FILE: file });
      expect(c.sshTrust.secret?.reveal()).toBe(value);
      expect(JSON.stringify(c)).not.toContain(value);
      writeFileSync(file, 'short');
      expect(() => loadAgentConfig({ TY_SSH_TRUST_SECRET_FILE: file })).toThrow(AgentConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('agent config - options win over the environment; work dir follows the node id', () => {
    const c = loadAgentConfig({ TY_NODE_ID: 'env-node' }, { nodeId: 'n2', heartbeatMs: 50 });
    expect(c.nodeId).toBe('n2');
    expect(c.heartbeatMs).toBe(50);
    expect(c.workDir).toBe(resolve('.data/agents/n2'));
  });
  it('agent config - a node id that is not a subject token is rejected', () =>
    expect(() => loadAgentConfig({ TY_NODE_ID: 'a.b' })).toThrow(AgentConfigError));
  it('agent config - hostnames with dots become subject-safe ids', () => expect(subjectSafe('gpu-1.rack.example')).toBe('gpu-1-rack-example'));
  it('agent config - bad numbers and labels are rejected', () => {
    expect(() => loadAgentConfig({ TY_NODE_GPU: 'eight' })).toThrow(/TY_NODE_GPU=eight/);
    expect(() => parseLabels('zone')).toThrow(/key=value/);
  });
});
