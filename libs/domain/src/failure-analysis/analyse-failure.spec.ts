import { describe, expect, it } from 'vitest';
import { analyseFailure } from './analyse-failure';
import { FAILURE_RULES } from './failure-rules';

const lines = (...texts: string[]) => texts.map((text, i) => ({ seq: i + 1, text }));

describe('failure analysis - the last log lines against the rule table (ch12 §5)', () => {
  it.each([
    ['RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB', 'LF-CUDA-OOM', 'software'],
    ['[E ProcessGroupNCCL.cpp:828] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5)', 'LF-NCCL-TIMEOUT', 'software'],
    ['NCCL WARN NET/IB : Got completion with error 12, opcode 1, len 32478, vendor err 129', 'LF-NCCL-IBERR', 'software'],
    ['RuntimeError: CUDA error: uncorrectable ECC error encountered', 'LF-ECC', 'hardware'],
    ['ModuleNotFoundError: No module named \'torchvision\'', 'LF-MODULE', 'software'],
    ['PermissionError: [Errno 13] Permission denied: \'/data/out\'', 'LF-PERMISSION', 'software'],
    ['Killed', 'LF-OOM-KILLED', 'software'],
    ['[ERROR] device fault code 80C98002 on chip 3', 'LF-NPU-USERCODE', 'user-induced'],
    ['error,exiting', 'LF-RESTART-EXIT', 'software'],
  ])('%s → %s', (text, rule, hint) => {
    const a = analyseFailure(lines('epoch 1', text, 'bye'));
    expect(a).toMatchObject({ rule, hint, evidence: [{ seq: 2, text }] });
    expect(a?.cause.length).toBeGreaterThan(0);
    expect(a?.advice.length).toBeGreaterThan(0);
  });

  it('the most specific rule wins over a generic traceback; nothing matches → undefined', () => {
    const a = analyseFailure(lines('Traceback (most recent call last):', '  File "train.py", line 3', 'torch.OutOfMemoryError: CUDA out of memory.'));
    expect(a?.rule).toBe('LF-CUDA-OOM');
    expect(analyseFailure(lines('epoch 1', 'epoch 2'))).toBeUndefined();
  });

  it('every rule has an id, a cause, advice and a pattern that matches nothing empty', () => {
    const ids = FAILURE_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of FAILURE_RULES) expect(r.pattern.test('')).toBe(false);
  });
});
