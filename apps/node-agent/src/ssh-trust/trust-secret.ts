import { PrivateFileError, readPrivateFile } from '../private-file';
import { Secret } from '../staging/secret';

/** Fewer bytes than this and the secret is a password, not a key. */
const MIN_SECRET_BYTES = 32;

/**
 * The cluster's SSH trust secret (`TY_SSH_TRUST_SECRET_FILE`, mode 0600): every agent of a cluster
 * holds the same one, and derives each job's key pair and host keys from it (ssh-key.ts), so no key
 * is ever carried in an event, an assignment or a log. Rotating it changes the keys of jobs started
 * afterwards only. Unset: jobs asking for SSH trust fail to launch on this node, saying why.
 *
 * @example
 * // head -c 48 /dev/urandom | base64 > /etc/trainyard/ssh-trust.secret; chmod 600 …
 */
export function loadTrustSecret(file: string | undefined): Secret | undefined {
  if (!file) return undefined;
  const secret = readPrivateFile(file, 'TY_SSH_TRUST_SECRET_FILE').trim();
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new PrivateFileError(`TY_SSH_TRUST_SECRET_FILE ${file} holds fewer than ${MIN_SECRET_BYTES} bytes`);
  return new Secret(secret);
}
