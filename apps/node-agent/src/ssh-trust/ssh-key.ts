import { createHmac, createPrivateKey, createPublicKey } from 'node:crypto';

/**
 * An Ed25519 key pair in OpenSSH's own formats: `publicKey` is one `ssh-ed25519 AAAA… comment` line
 * (authorized_keys, known_hosts, `.pub`), `privateKey` the `openssh-key-v1` PEM that ssh and sshd read
 * (unencrypted: the file's mode guards it, as ssh-keygen's `-N ''` does).
 */
export interface SshKeyPair {
  publicKey: string;
  privateKey: string;
}

/** DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows (RFC 8410). */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Derives one key from the cluster's trust secret and a purpose (HMAC-SHA256 as the seed): every agent
 * holding the secret computes the same key for the same job without any key travelling in a message,
 * and one job's key tells nothing about another's.
 *
 * @example
 * deriveSshKey(secret, 'user/0f3c…', 'modelarts-job-0f3c…').publicKey // 'ssh-ed25519 AAAAC3Nz… modelarts-job-0f3c…'
 */
export function deriveSshKey(secret: Buffer, purpose: string, comment: string): SshKeyPair {
  const seed = createHmac('sha256', secret).update(`trainyard ssh-trust ${purpose}`).digest();
  return sshKeyFromSeed(seed, comment);
}

/** The key pair of a 32-byte Ed25519 seed. */
export function sshKeyFromSeed(seed: Buffer, comment: string): SshKeyPair {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x!, 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]);
  // The check integer only lets a reader tell a wrong passphrase; with no cipher any value does,
  // and one from the seed keeps the file the same on every node.
  const check = seed.subarray(0, 4);
  const privateSection = Buffer.concat([
    check, check,
    sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment),
  ]);
  const padding = Buffer.from(Array.from({ length: (8 - (privateSection.length % 8)) % 8 }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'), sshString('none'), sshString(''), uint32(1),
    sshString(publicBlob), sshString(Buffer.concat([privateSection, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return {
    publicKey: `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}`,
    privateKey: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n'),
  };
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** RFC 4251 `string`: a length, then the bytes. */
function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([uint32(bytes.length), bytes]);
}
