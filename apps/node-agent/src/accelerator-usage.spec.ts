import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acceleratorMetrics, parseGpuApps, parseGpuUsage, parseNpuUsage, readAcceleratorUsage } from './accelerator-usage';

const FAKES = resolve(__dirname, '../../../test/fixtures/fake-smi');

// Captured from an 8×A100 node (two cards kept), one of them with a card that does not report memory.
const GPU_CSV = `0, GPU-5d8e2c8a-3a5b-1f3e-9c77-08a3e4d1b2c3, 87, 40321, 81920
1, GPU-9a1b0c3d-7e6f-4a2b-8c9d-0e1f2a3b4c5d, 0, 3, 81920
2, GPU-1111, [N/A], [Not Supported], [Not Supported]
`;
const APPS_CSV = `4242, GPU-5d8e2c8a-3a5b-1f3e-9c77-08a3e4d1b2c3, 40318
`;
// `npu-smi info` of a 910B node with a process on NPU 0 (npu-smi 23.0.rc2 layout).
const NPU_INFO = `+------------------------------------------------------------------------------------------------+
| npu-smi 23.0.rc2                 Version: 23.0.rc2                                             |
+---------------------------+---------------+----------------------------------------------------+
| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|
| Chip                      | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |
+===========================+===============+====================================================+
| 0     910B3               | OK            | 93.6        40                0    / 0             |
| 0                         | 0000:C1:00.0  | 63          0    / 0          32768/ 65536         |
+===========================+===============+====================================================+
| 1     910B3               | Warning       | 90.2        41                0    / 0             |
| 0                         | 0000:01:00.0  | 0           0    / 0          3163 / 65536         |
+===========================+===============+====================================================+
+---------------------------+---------------+----------------------------------------------------+
| NPU     Chip              | Process id    | Process name             | Process memory(MB)      |
+===========================+===============+====================================================+
| 0       0                 | 777           | python3                  | 29000                   |
+===========================+===============+====================================================+
| No running processes found in NPU 1                                                            |
+===========================+===============+====================================================+
`;

describe('accelerator usage', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('accelerator usage - parses nvidia-smi utilisation, memory and compute apps; [N/A] fields are absent', () => {
    expect(parseGpuUsage(GPU_CSV)).toEqual([
      { kind: 'gpu', index: '0', uuid: 'GPU-5d8e2c8a-3a5b-1f3e-9c77-08a3e4d1b2c3', util: 87, memUsedMiB: 40321, memTotalMiB: 81920 },
      { kind: 'gpu', index: '1', uuid: 'GPU-9a1b0c3d-7e6f-4a2b-8c9d-0e1f2a3b4c5d', util: 0, memUsedMiB: 3, memTotalMiB: 81920 },
      { kind: 'gpu', index: '2', uuid: 'GPU-1111', util: undefined, memUsedMiB: undefined, memTotalMiB: undefined },
    ]);
    expect(parseGpuApps(APPS_CSV)).toEqual([{ pid: 4242, card: 'GPU-5d8e2c8a-3a5b-1f3e-9c77-08a3e4d1b2c3' }]);
    expect(parseGpuApps('No running processes found\n')).toEqual([]);
  });

  it('accelerator usage - parses npu-smi info: AI Core %, HBM memory, the process table', () => {
    expect(parseNpuUsage(NPU_INFO)).toEqual({
      cards: [
        { kind: 'npu', index: '0', util: 63, memUsedMiB: 32768, memTotalMiB: 65536 },
        { kind: 'npu', index: '1', util: 0, memUsedMiB: 3163, memTotalMiB: 65536 },
      ],
      processes: [{ pid: 777, card: '0' }],
    });
  });

  it('accelerator usage - a card is the task whose pid uses it; with no pid listed, the only task asking for cards gets them all', () => {
    const gpu = { cards: parseGpuUsage(GPU_CSV).slice(0, 2), processes: parseGpuApps(APPS_CSV) };
    const byPid = acceleratorMetrics(gpu, [
      { key: 'a', pids: [4242, 4243], gpu: 1 },
      { key: 'b', pids: [5000], gpu: 1 },
    ]);
    expect(byPid.get('a')).toEqual({ ma_container_gpu_util: 87, ma_container_gpu_mem_used_megabytes: 40321, ma_container_gpu_mem_util: 49.22 });
    // Two tasks asking for GPUs and no pid of `b` listed: `b` gets nothing rather than `a`'s card.
    expect(byPid.has('b')).toBe(false);

    const alone = acceleratorMetrics({ cards: gpu.cards, processes: [] }, [{ key: 'a', pids: [1], gpu: 2 }, { key: 'cpu', pids: [2] }]);
    expect(alone.get('a')).toEqual({ ma_container_gpu_util: 43.5, ma_container_gpu_mem_used_megabytes: 40324, ma_container_gpu_mem_util: 24.612 });
    expect(alone.has('cpu')).toBe(false);

    const npu = parseNpuUsage(NPU_INFO);
    const n = acceleratorMetrics({ cards: npu.cards, processes: npu.processes.map((p) => ({ pid: p.pid, card: `npu:${p.card}` })) }, [{ key: 'x', pids: [777], npu: 1 }]);
    expect(n.get('x')).toEqual({ ma_container_npu_ai_core_util: 63, ma_container_npu_memory_used_megabytes: 32768, ma_container_npu_memory_util: 50 });
  });

  /** A copy of a fake-smi scenario whose utilisation the test sets. */
  async function fake(scenario: string, util: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ty-smi-'));
    dirs.push(dir);
    await cp(join(FAKES, scenario), dir, { recursive: true });
    await cp(join(FAKES, 'util.sh'), join(dir, 'util.sh'));
    await writeFile(join(dir, 'util'), util);
    return `${dir}:/usr/bin:/bin`;
  }

  it('accelerator usage - runs the fake nvidia-smi / npu-smi: flat utilisation stays, moving utilisation moves', async () => {
    const flat = await fake('gpu-healthy', '55');
    const a = await readAcceleratorUsage(flat, 5000);
    const b = await readAcceleratorUsage(flat, 5000);
    expect(a.cards.map((c) => c.util)).toEqual([55, 55]);
    expect(b.cards.map((c) => c.util)).toEqual([55, 55]);
    expect(a.cards[0]).toMatchObject({ kind: 'gpu', index: '0', memUsedMiB: 40321, memTotalMiB: 81920 });
    expect(a.processes).toEqual([]);

    const moving = await fake('npu-healthy', 'moving');
    const u1 = (await readAcceleratorUsage(moving, 5000)).cards.map((c) => c.util);
    const u2 = (await readAcceleratorUsage(moving, 5000)).cards.map((c) => c.util);
    expect(u1).toHaveLength(2);
    expect(u1[0]).not.toBe(u2[0]);

    // No tool on the path: no cards, so no accelerator metrics (never zeros).
    expect(await readAcceleratorUsage('/nonexistent', 5000)).toEqual({ cards: [], processes: [] });
  });
});
