import { FieldCode } from './errors';
import { SshTrustSchema } from './job-spec';
import { FieldErrors, PATH_LIMITS, checkKnownKeys, keysOf, objectAt, stringAt } from './validate-fields';

/** The guide's home: the trust dir must lie under it (the process runtime rebases it onto the task home). */
const GUIDE_HOME = '/home/ma-user';

/**
 * V21 (L2142-2143): SSH trust files ⇒ a trust dir, default `/home/ma-user/.ssh`. Ours: the dir is an
 * absolute path strictly under `/home/ma-user` with no `.`/`..` segment, so no job can aim the key
 * files at another place on a node. The console's "SSH trust XOR SSH remote dev" (L3648, L3667) has
 * nothing to bite on: remote development is not offered.
 */
export function validateSshTrust(value: unknown, e: FieldErrors): void {
  const path = 'spec.sshTrust';
  const trust = objectAt(value, path, e, false);
  if (!trust) return;
  checkKnownKeys(trust, keysOf(SshTrustSchema), path, e);
  if (trust.enabled === undefined) e.add(`${path}.enabled`, FieldCode.Required, 'enabled is required (true or false)', 'V21');
  else if (typeof trust.enabled !== 'boolean') e.add(`${path}.enabled`, FieldCode.InvalidType, 'enabled must be a boolean', 'V21');
  const dir = stringAt(trust.dir, `${path}.dir`, e, { nonEmpty: true, maxBytes: PATH_LIMITS.pathBytes, rule: 'V21' });
  if (dir === undefined) return;
  const segments = dir.split('/').slice(1);
  if (!dir.startsWith(`${GUIDE_HOME}/`) || segments.some((s) => s === '.' || s === '..') || dir.endsWith('/') || dir.includes('//')) {
    e.add(`${path}.dir`, FieldCode.InvalidFormat, `an absolute directory under ${GUIDE_HOME}, e.g. ${GUIDE_HOME}/.ssh`, 'V21');
  }
}
