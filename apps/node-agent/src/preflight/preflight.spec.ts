import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anAssignment } from '../assignment.fixture';
import { judgeFreeSpace } from './disk-check';
import { judgeGpus, parseNvidiaSmi } from './gpu-check';
import { judgeNpus, parseNpuSmiInfo } from './npu-check';
import type { PreflightContext } from './precheck-item';
import { precheckWanted, preflightSettings } from './preflight-settings';
import { preflightLogLines, runPreflight } from './run-preflight';
import { judgeLimits, parseProcLimits } from './ulimit-check';

const FAKES = resolve(__dirname, '../../../../test/fixtures/fake-smi');
const GiB = 2 ** 30;
const dir = mkdtempSync(join(tmpdir(), 'ty-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A context whose disk thresholds any machine passes, unless a test raises them. */
function context(over: { gpu?: number; npu?: number; fakes?: string; hosts?: string[]; settings?: Parameters<typeof preflightSettings>[1] } = {}): PreflightContext {
  return {
    assignment: anAssignment({ flavor: { cpu: 1, memoryMiB: 256, gpu: over.gpu ?? 0, npu: over.npu ?? 0 }, hosts: over.hosts ?? ['127.0.0.1'] }),
    capacity: { cpu: 8, memoryMiB: 8192, gpu: over.gpu ?? 0, npu: over.npu ?? 0 },
    rootDir: dir,
    cacheDir: join(dir, 'cache'),
    settings: preflightSettings({}, {
      rootMinFreeBytes: 0,
      shmMinFreeBytes: 0,
      cacheMinFreeBytes: 0,
      infiniband: false,
      toolPath: over.fakes ? `${join(FAKES, over.fakes)}:/usr/bin:/bin` : '/nonexistent',
      ...over.settings,
    }),
  };
}

describe('preflight - settings and the MA_SKIP_IMAGE_DETECT switch', () => {
  it('defaults are the guide thresholds; TY_PREFLIGHT_* and overrides change them', () => {
    const d = preflightSettings();
    expect(d).toMatchObject({ enabled: true, rootMinFreeBytes: 32 * GiB, shmMinFreeBytes: GiB, cacheMinFreeBytes: 32 * GiB });
    expect(d.ulimit).toEqual({ lockedMemoryKiB: 16_000, openFiles: 1_000_000, stackKiB: 8_000, userProcesses: 1_000_000 });
    const s = preflightSettings({ TY_PREFLIGHT: 'off', TY_PREFLIGHT_SHM_MIN_GIB: '0.5', TY_NODE_INFINIBAND: 'true' }, { ulimit: { openFiles: 10 } as never });
    expect(s).toMatchObject({ enabled: false, shmMinFreeBytes: GiB / 2, infiniband: true });
    expect(s.ulimit).toMatchObject({ openFiles: 10, stackKiB: 8_000 });
  });

  it('1 or unset means on, 0 means off (the name says skip, the guide says enable)', () => {
    expect(precheckWanted(undefined)).toBe(true);
    expect(precheckWanted({ MA_SKIP_IMAGE_DETECT: '1' })).toBe(true);
    expect(precheckWanted({ MA_SKIP_IMAGE_DETECT: '0' })).toBe(false);
  });
});

describe('preflight - item judgements', () => {
  it('disk: free space must be strictly greater than the threshold', () => {
    expect(judgeFreeSpace('disk-size shm', '/dev/shm', 2 * GiB, GiB)).toMatchObject({ outcome: 'passed', hardware: false });
    expect(judgeFreeSpace('disk-size shm', '/dev/shm', GiB, GiB)).toEqual({
      item: 'disk-size shm', outcome: 'abnormal', hardware: false, detail: '/dev/shm has 1.0 GiB free, needs > 1.0 GiB',
    });
  });

  it('ulimit: /proc limits in ulimit units, unlimited passes, each low limit is named', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units',
      'Max stack size            8388608              unlimited            bytes',
      'Max processes             96365                96365                processes',
      'Max open files            20000                20000                files',
      'Max locked memory         unlimited            unlimited            bytes',
    ].join('\n');
    const limits = parseProcLimits(text);
    expect(limits).toEqual({ lockedMemoryKiB: Infinity, openFiles: 20_000, stackKiB: 8192, userProcesses: 96_365 });
    const r = judgeLimits(limits, preflightSettings().ulimit);
    expect(r.outcome).toBe('abnormal');
    expect(r.detail).toBe('open files (ulimit -n) is 20000, needs > 1000000; max user processes (ulimit -u) is 96365, needs > 1000000');
    expect(judgeLimits(limits, { lockedMemoryKiB: 16_000, openFiles: 1000, stackKiB: 8000, userProcesses: 1000 }).outcome).toBe('passed');
  });

  it('gpu: too few cards, a faulted card or ECC errors are hardware faults; [N/A] ECC is none', () => {
    const rows = parseNvidiaSmi('0, 00000000:3B:00.0, NVIDIA A100, 0\n1, 00000000:86:00.0, NVIDIA A100, [N/A]\n');
    expect(rows.map((r) => r.ecc)).toEqual([0, null]);
    expect(judgeGpus(rows, 2, 0).outcome).toBe('passed');
    expect(judgeGpus(rows, 4, 0)).toMatchObject({ outcome: 'abnormal', hardware: true, detail: '2 of 4 expected GPU(s) visible' });
    const bad = parseNvidiaSmi('0, 00000000:3B:00.0, NVIDIA A100, 2\n1, 00000000:86:00.0, NVIDIA A100, [GPU requires reset]\n');
    expect(judgeGpus(bad, 2, 0).detail).toBe('GPU 0 (00000000:3B:00.0): 2 uncorrectable ECC error(s); GPU 1 (00000000:86:00.0): [GPU requires reset]');
  });

  it('npu: the table rows of npu-smi info, healthy states configurable', () => {
    const text = '| 0     910B3               | OK            | 93.6 |\n| 0                         | 0000:C1:00.0  | 0 |\n| 1     910B3               | Critical      | 90 |\n';
    const rows = parseNpuSmiInfo(text);
    expect(rows).toEqual([{ id: '0', name: '910B3', health: 'OK' }, { id: '1', name: '910B3', health: 'Critical' }]);
    expect(judgeNpus(rows, 2, ['OK', 'Warning'])).toMatchObject({ outcome: 'abnormal', hardware: true, detail: 'NPU 1 (910B3): health Critical' });
    expect(judgeNpus(rows.slice(0, 1), 1, ['OK']).outcome).toBe('passed');
  });
});

describe('preflight - runPreflight on this machine, with fake nvidia-smi / npu-smi', () => {
  it('a CPU task runs dns and the three disk items, and passes with small thresholds', async () => {
    const report = await runPreflight(context());
    expect(report.items.map((i) => [i.item, i.outcome])).toEqual([
      ['dns', 'passed'], ['disk-size root', 'passed'], ['disk-size shm', 'passed'], ['disk-size cache', 'passed'],
    ]);
    expect(report).toMatchObject({ passed: true, hardware: false });
    expect(report.elapsedSeconds).toBeGreaterThanOrEqual(0);
    expect(preflightLogLines(report).at(-1)?.text).toMatch(/^\[pre-check\] \[elapsed: [\d.]+ s\] pre-check completed$/);
  });

  it('a huge disk threshold and an unresolvable peer fail, not as hardware faults', async () => {
    const report = await runPreflight(context({ hosts: ['127.0.0.1', 'no-such-host.invalid'], settings: { cacheMinFreeBytes: 2 ** 60 } }));
    const failed = report.items.filter((i) => i.outcome !== 'passed');
    expect(failed.map((i) => [i.item, i.outcome, i.hardware])).toEqual([['dns', 'abnormal', false], ['disk-size cache', 'abnormal', false]]);
    expect(failed[0].detail).toMatch(/^1 of 2 host\(s\) do not resolve: no-such-host\.invalid/);
    expect(report).toMatchObject({ passed: false, hardware: false });
    expect(preflightLogLines(report).filter((l) => l.stream === 'stderr').map((l) => l.text)[0]).toMatch(/^\[pre-check\] item dns failed, abnormal: /);
  });

  it('the ulimit item runs on InfiniBand nodes only', async () => {
    expect((await runPreflight(context())).items.some((i) => i.item === 'ulimit')).toBe(false);
    const ib = await runPreflight(context({ settings: { infiniband: true, ulimit: { lockedMemoryKiB: 0, openFiles: 0, stackKiB: 0, userProcesses: Number.MAX_SAFE_INTEGER } } }));
    expect(ib.items.find((i) => i.item === 'ulimit')).toMatchObject({ outcome: 'abnormal', hardware: false });
  });

  it('GPU tasks: healthy cards pass; ECC errors, a lost card or no nvidia-smi fail as hardware faults', async () => {
    const gpu = async (fakes?: string) => (await runPreflight(context({ gpu: 2, fakes }))).items.find((i) => i.item === 'gpu-check');
    expect(await gpu('gpu-healthy')).toMatchObject({ outcome: 'passed', detail: '2 GPU(s) healthy (NVIDIA A100-SXM4-80GB), no uncorrectable ECC errors' });
    expect(await gpu('gpu-ecc')).toMatchObject({ outcome: 'abnormal', hardware: true, detail: 'GPU 1 (00000000:86:00.0): 3 uncorrectable ECC error(s)' });
    expect(await gpu('gpu-lost')).toMatchObject({ outcome: 'abnormal', hardware: true, detail: 'nvidia-smi exited 15: Unable to determine the device handle for GPU0000:86:00.0: Unknown Error' });
    expect(await gpu(undefined)).toMatchObject({ outcome: 'error', hardware: true, detail: 'nvidia-smi not found: no GPU driver on this node' });
  });

  it('NPU tasks: healthy cards pass, an Alarm card fails as a hardware fault', async () => {
    const npu = async (fakes: string) => (await runPreflight(context({ npu: 2, fakes }))).items.find((i) => i.item === 'npu-check');
    expect(await npu('npu-healthy')).toMatchObject({ outcome: 'passed' });
    expect(await npu('npu-alarm')).toMatchObject({ outcome: 'abnormal', hardware: true, detail: 'NPU 1 (910B3): health Alarm' });
  });

  it('an item that hangs is cut at itemTimeoutMs and reported as an error', async () => {
    const hang = { keyword: 'slow', applies: () => true, run: () => new Promise<never>(() => undefined) };
    const report = await runPreflight(context({ settings: { itemTimeoutMs: 20 } }), [hang]);
    expect(report.items).toEqual([{ item: 'slow', outcome: 'error', detail: 'no answer within 20 ms', hardware: false }]);
  });
});
