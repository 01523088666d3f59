import type { Algorithm } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { launcherFor } from './launch-method';

const preset = (engine: string, extra: Partial<Algorithm> = {}): Algorithm => ({
  engine: { name: engine, version: '1' }, codeDir: '/c', bootFile: 't.py', launchMethod: 'custom', ...extra,
});

describe('launch method', () => {
  it('launch method - an explicit method wins', () => expect(launcherFor(preset('PyTorch', { launchMethod: 'mpi' }))).toBe('mpi'));
  it('launch method - custom with a command runs the command (L2851-2867)', () => expect(launcherFor({ command: 'python t.py' })).toBe('command'));
  it('launch method - Ascend-Powered-Engine: rank table unless MA_RUN_METHOD is torchrun or msrun (L315-318, L328-329)', () => {
    expect(launcherFor(preset('Ascend-Powered-Engine'))).toBe('ranktable');
    expect(launcherFor(preset('Ascend-Powered-Engine', { environments: { MA_RUN_METHOD: 'torchrun' } }))).toBe('torchrun');
    expect(launcherFor(preset('Ascend-Powered-Engine', { environments: { MA_RUN_METHOD: 'msrun' } }))).toBe('msrun');
  });
  it('launch method - MA_RUN_METHOD selects torchrun or msrun for any boot file (L315-318, L424-427)', () =>
    expect(launcherFor(preset('PyTorch', { environments: { MA_RUN_METHOD: 'torchrun' } }))).toBe('torchrun'));
  it('launch method - PyTorch-GPU, TensorFlow-GPU, Horovod/MPI/MindSpore-GPU presets (L478-530)', () => {
    expect(launcherFor(preset('PyTorch-GPU'))).toBe('pytorch-gpu');
    expect(launcherFor(preset('TensorFlow'))).toBe('tensorflow-ps');
    expect(['Horovod', 'MPI', 'MindSpore-GPU'].map((e) => launcherFor(preset(e)))).toEqual(['mpi', 'mpi', 'mpi']);
  });
  it('launch method - another engine runs its boot file once', () => expect(launcherFor(preset('XGBoost'))).toBe('boot-file'));
});
