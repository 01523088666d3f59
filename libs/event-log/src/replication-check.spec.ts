import { describe, expect, it } from 'vitest';
import { storeReplicas, UnsafeReplication } from './replication-check';

const server = (version: string) => ({ info: { version } }) as Parameters<typeof storeReplicas>[0];

describe('storeReplicas - the replicas of a store a service makes beside the streams', () => {
  it('is TY_STREAM_REPLICAS, one when unset', () => {
    expect(storeReplicas(server('2.10.4'), 'TY_LEADER', {})).toBe(1);
    expect(storeReplicas(server('2.10.4'), 'TY_LEADER', { TY_STREAM_REPLICAS: '3' })).toBe(3);
  });

  it('goes through the server version gate: refused below 2.9.21, allowed there only when overridden, and said', () => {
    expect(() => storeReplicas(server('2.9.10'), 'TY_LEADER', { TY_STREAM_REPLICAS: '3' })).toThrow(UnsafeReplication);
    const warnings: string[] = [];
    expect(storeReplicas(server('2.9.10'), 'TY_LEADER', { TY_STREAM_REPLICAS: '3', TY_ALLOW_REPLICAS_ON_OLD_NATS: '1' }, { warn: (m) => warnings.push(m) })).toBe(3);
    expect(warnings).toEqual([expect.stringMatching(/UNSAFE: stream TY_LEADER with 3 replicas on nats-server 2\.9\.10/)]);
  });
});
