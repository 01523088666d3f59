import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig, AgentConfigError } from './agent-config';
import { probeCards, settleInventory } from './device-inventory';

const FAKES = resolve(__dirname, '../../../test/fixtures/fake-smi');
const none = () => [];

describe('device inventory - the cards a node declares (issue 14)', () => {
  it('configured ids win; a configured count gives 0…n-1; nothing configured asks the vendor tool', () => {
    const probe = (kind: 'gpu' | 'npu') => (kind === 'gpu' ? ['GPU-a', 'GPU-b'] : []);
    expect(settleInventory({ ids: { gpu: ['3', '5'] }, counts: {}, toolPath: '' }, probe)).toEqual({ gpu: ['3', '5'] });
    expect(settleInventory({ ids: {}, counts: { gpu: 4, npu: 0 }, toolPath: '' }, probe)).toEqual({ gpu: ['0', '1', '2', '3'] });
    expect(settleInventory({ ids: {}, counts: {}, toolPath: '' }, probe)).toEqual({ gpu: ['GPU-a', 'GPU-b'] });
    expect(settleInventory({ ids: {}, counts: { gpu: 0 }, toolPath: '' }, probe)).toEqual({});
  });

  it('refuses ids that repeat a card or disagree with the configured count', () => {
    expect(() => settleInventory({ ids: { gpu: ['0', '0'] }, counts: {}, toolPath: '' }, none)).toThrow(/twice/);
    expect(() => settleInventory({ ids: { npu: ['0', '1'] }, counts: { npu: 4 }, toolPath: '' }, none)).toThrow(/TY_NODE_NPU_IDS lists 2/);
  });

  it('reads the ids nvidia-smi and npu-smi list (fake-smi fixtures); none when the tool is missing', () => {
    expect(probeCards('gpu', `${FAKES}/gpu-healthy:${process.env.PATH}`)).toEqual(['0', '1']);
    expect(probeCards('npu', `${FAKES}/npu-healthy:${process.env.PATH}`)).toEqual(['0', '1']);
    expect(probeCards('gpu', `${FAKES}/npu-healthy`)).toEqual([]);
  });

  it('the agent config: TY_NODE_GPU_IDS sets the GPU count, a bad list is a config error', () => {
    const c = loadAgentConfig({ TY_NODE_ID: 'n1', TY_NODE_GPU_IDS: '0,1,2,3,4,5,6,7', TY_PREFLIGHT_PATH: '/nonexistent' });
    expect([c.capacity.gpu, c.devices]).toEqual([8, { gpu: ['0', '1', '2', '3', '4', '5', '6', '7'] }]);
    const probed = loadAgentConfig({ TY_NODE_ID: 'n1', TY_PREFLIGHT_PATH: `${FAKES}/gpu-healthy:${process.env.PATH}` });
    expect([probed.capacity.gpu, probed.devices]).toEqual([2, { gpu: ['0', '1'] }]);
    expect(() => loadAgentConfig({ TY_NODE_ID: 'n1', TY_NODE_GPU: '2', TY_NODE_GPU_IDS: '0' })).toThrow(AgentConfigError);
  });
});
