import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowOldNatsReplicasFromEnv, parseServerVersion, replicationVerdict, streamReplicasFromEnv, versionAtLeast, type ServerVersion } from './replication-gate';

describe('replicationVerdict - no replicated stream below nats-server 2.9.21 (nats-server#4320)', () => {
  it('refuses R3 on the 2.9.10 Debian ships and on 2.9.20, allows it from 2.9.21 on', () => {
    expect(replicationVerdict({ serverVersion: '2.9.10', replicas: 3, stream: 'TY_EVENTS' })).toEqual({
      action: 'refuse',
      reason: expect.stringContaining('stream TY_EVENTS with 3 replicas on nats-server 2.9.10 refused'),
    });
    expect(replicationVerdict({ serverVersion: '2.9.20', replicas: 2 }).action).toBe('refuse');
    expect(replicationVerdict({ serverVersion: '2.9.21', replicas: 3 })).toEqual({ action: 'allow' });
    expect(replicationVerdict({ serverVersion: '2.10.0', replicas: 3 })).toEqual({ action: 'allow' });
    expect(replicationVerdict({ serverVersion: 'v2.11.3', replicas: 5 })).toEqual({ action: 'allow' });
  });

  it('lets one replica through on any server, whatever it says', () => {
    for (const serverVersion of ['2.9.10', '1.0.0', undefined, 'garbage']) expect(replicationVerdict({ serverVersion, replicas: 1 })).toEqual({ action: 'allow' });
  });

  it('fails closed on a version it cannot read, and on a pre-release of 2.9.21', () => {
    expect(replicationVerdict({ serverVersion: undefined, replicas: 3 }).action).toBe('refuse');
    expect(replicationVerdict({ serverVersion: 'nightly', replicas: 3 }).action).toBe('refuse');
    expect(replicationVerdict({ serverVersion: '2.9.21-beta.1', replicas: 3 }).action).toBe('refuse');
    expect(replicationVerdict({ serverVersion: '2.9.22-beta.1', replicas: 3 }).action).toBe('allow');
  });

  it('the explicit override turns a refusal into a loud warning, never an allow', () => {
    const v = replicationVerdict({ serverVersion: '2.9.10', replicas: 3, allowOld: true });
    expect(v).toEqual({ action: 'allow-unsafe', warning: expect.stringMatching(/^UNSAFE: .*TY_ALLOW_REPLICAS_ON_OLD_NATS=1.*nats-server#4320.*never do this in production$/) });
    expect(replicationVerdict({ serverVersion: '2.10.1', replicas: 3, allowOld: true })).toEqual({ action: 'allow' });
  });

  it('allows replicas exactly when the version is at or past 2.9.21 (property)', () => {
    const version = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 40 }));
    fc.assert(
      fc.property(version, fc.integer({ min: 2, max: 5 }), fc.boolean(), ([a, b, c], replicas, allowOld) => {
        const newEnough = a > 2 || (a === 2 && (b > 9 || (b === 9 && c >= 21)));
        const v = replicationVerdict({ serverVersion: `${a}.${b}.${c}`, replicas, allowOld });
        expect(v.action).toBe(newEnough ? 'allow' : allowOld ? 'allow-unsafe' : 'refuse');
      }),
    );
  });
});

describe('parseServerVersion and versionAtLeast', () => {
  it('reads what nats-server puts in INFO', () => {
    expect(parseServerVersion('2.9.10')).toEqual([2, 9, 10, false]);
    expect(parseServerVersion('v2.10.0-RC.2')).toEqual([2, 10, 0, true]);
    expect(parseServerVersion('2.9')).toBeUndefined();
  });

  it('orders like semver: total, and a pre-release before its release (property)', () => {
    const v = fc.tuple(fc.nat(5), fc.nat(20), fc.nat(40), fc.boolean()) as fc.Arbitrary<ServerVersion>;
    fc.assert(
      fc.property(v, v, (x, y) => {
        expect(versionAtLeast(x, y) || versionAtLeast(y, x)).toBe(true);
        expect(versionAtLeast(x, x)).toBe(true);
        if (versionAtLeast(x, y) && versionAtLeast(y, x)) expect(x).toEqual(y);
      }),
    );
    expect(versionAtLeast([2, 9, 21, true], [2, 9, 21, false])).toBe(false);
  });
});

describe('the environment', () => {
  it('TY_STREAM_REPLICAS is 1 by default, 1..5 otherwise', () => {
    expect(streamReplicasFromEnv({})).toBe(1);
    expect(streamReplicasFromEnv({ TY_STREAM_REPLICAS: '3' })).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three']) expect(() => streamReplicasFromEnv({ TY_STREAM_REPLICAS: bad })).toThrow(/TY_STREAM_REPLICAS/);
  });

  it('only TY_ALLOW_REPLICAS_ON_OLD_NATS=1 opens the gate', () => {
    expect(allowOldNatsReplicasFromEnv({ TY_ALLOW_REPLICAS_ON_OLD_NATS: '1' })).toBe(true);
    for (const v of [undefined, '', '0', 'true', 'yes']) expect(allowOldNatsReplicasFromEnv({ TY_ALLOW_REPLICAS_ON_OLD_NATS: v })).toBe(false);
  });
});
