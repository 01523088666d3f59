import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSshKey, sshKeyFromSeed } from './ssh-key';

const secret = Buffer.from('a cluster trust secret of the tests');

describe('ssh key - derivation', () => {
  it('ssh key - the same secret and purpose give the same key; another job or secret another', () => {
    const a = deriveSshKey(secret, 'user/job-1', 'c');
    expect(deriveSshKey(secret, 'user/job-1', 'c')).toEqual(a);
    expect(deriveSshKey(secret, 'user/job-2', 'c').publicKey).not.toBe(a.publicKey);
    expect(deriveSshKey(Buffer.from('another secret'), 'user/job-1', 'c').publicKey).not.toBe(a.publicKey);
    expect(a.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/=]+ c$/);
  });

  it('ssh key - any seed gives a key whose private half is 8-byte aligned and names its public half', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.stringMatching(/^[a-z0-9.-]{0,40}$/), (seed, comment) => {
        const k = sshKeyFromSeed(Buffer.from(seed), comment);
        const body = Buffer.from(k.privateKey.split('\n').slice(1, -2).join(''), 'base64');
        expect(body.subarray(0, 15).toString('latin1')).toBe('openssh-key-v1\0');
        const blob = Buffer.from(k.publicKey.split(' ')[1]!, 'base64');
        expect(body.includes(blob)).toBe(true);
      }),
    );
  });
});

// OpenSSH itself is the judge of the format: ssh-keygen must read the private key back to our public key.
describe.skipIf(spawnSync('ssh-keygen', ['-?']).error !== undefined)('ssh key - read by OpenSSH', () => {
  it('ssh key - ssh-keygen -y derives the same public key from the private file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-key-'));
    try {
      for (const job of ['job-a', 'job-b', 'job-c']) {
        const k = deriveSshKey(secret, `user/${job}`, `modelarts-job-${job}`);
        const file = join(dir, job);
        writeFileSync(file, k.privateKey, { mode: 0o600 });
        const out = spawnSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
        expect(out.stderr).toBe('');
        expect(out.stdout.trim()).toBe(k.publicKey);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
