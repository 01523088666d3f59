import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceLedger, deviceKindOf } from './device-allocation';

const EIGHT = ['0', '1', '2', '3', '4', '5', '6', '7'];

describe('device allocation - cards per task', () => {
  it('gives the lowest free ids in inventory order, skipping held cards', () => {
    const cards = new DeviceLedger({ gpu: EIGHT });
    cards.hold('gpu', ['0', '2']);
    expect(cards.take('gpu', 3)).toEqual(['1', '3', '4']);
    expect(cards.take('gpu', 3)).toEqual(['5', '6', '7']);
    expect(cards.take('gpu', 1)).toBeUndefined();
  });

  it('holds nothing when too few are free, and keeps GPU and NPU ids apart', () => {
    const cards = new DeviceLedger({ gpu: ['0', '1'], npu: ['0', '1'] });
    expect(cards.take('gpu', 3)).toBeUndefined();
    expect(cards.take('gpu', 2)).toEqual(['0', '1']);
    expect(cards.take('npu', 2)).toEqual(['0', '1']);
    expect(cards.declares('gpu')).toBe(true);
    expect(new DeviceLedger({}).declares('npu')).toBe(false);
  });

  it('the kind a flavor asks for', () => {
    expect(deviceKindOf({ gpu: 2 })).toEqual({ kind: 'gpu', count: 2 });
    expect(deviceKindOf({ npu: 8 })).toEqual({ kind: 'npu', count: 8 });
    expect(deviceKindOf({})).toBeUndefined();
  });

  it('property - no card is ever handed to two tasks, and every grant has exactly the count asked', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{1,4}$/), { minLength: 0, maxLength: 16 }),
        fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (inventory, requests, heldIdx) => {
          const held = [...new Set(heldIdx.filter((i) => i < inventory.length).map((i) => inventory[i]))];
          const cards = new DeviceLedger({ gpu: inventory });
          cards.hold('gpu', held);
          const granted = [...held];
          for (const n of requests) {
            const free = inventory.length - granted.length;
            const got = cards.take('gpu', n);
            if (n > free) expect(got).toBeUndefined();
            else {
              expect(got).toHaveLength(n);
              granted.push(...got!);
            }
          }
          expect(new Set(granted).size).toBe(granted.length);
          expect(granted.every((id) => inventory.includes(id))).toBe(true);
        },
      ),
    );
  });
});
