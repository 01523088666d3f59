import { CALLER_LIMITS, type Caller } from './commands';

/**
 * The principal a command acts for travels in this NATS header, set by the API after it
 * authenticated the caller (issue 11) — never in a body field a sender chooses. On a locked bus only
 * the API may publish commands, so a service takes the header's word; a command without it falls
 * back to the body's `caller` only where the bus is open (tests, the unlocked dev server).
 *
 * @example
 * ```
 * Ty-Principal: {"id":"user:mia","permissions":["job:submit"],"tokenId":"k3j…","source":"10.0.0.5","userAgent":"yard/0.1"}
 * ```
 */
export const PRINCIPAL_HEADER = 'Ty-Principal';

/** Who a command acts for, and where it came from (the commit's audit metadata). */
export interface CommandPrincipal extends Caller {
  tokenId?: string;
  source?: string;
  userAgent?: string;
}

export function encodePrincipal(p: CommandPrincipal): string {
  return JSON.stringify({
    id: p.id, permissions: p.permissions,
    ...(p.tokenId ? { tokenId: p.tokenId } : {}), ...(p.source ? { source: p.source.slice(0, 64) } : {}), ...(p.userAgent ? { userAgent: p.userAgent.slice(0, 256) } : {}),
  });
}

/** The header's principal, or undefined when it is absent or not one (a malformed header counts as none). */
export function decodePrincipal(raw: string | undefined): CommandPrincipal | undefined {
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o.id !== 'string' || !o.id || o.id.length > CALLER_LIMITS.idLength) return undefined;
  if (!Array.isArray(o.permissions) || o.permissions.length > CALLER_LIMITS.permissions || o.permissions.some((x) => typeof x !== 'string' || x.length > CALLER_LIMITS.permissionLength)) return undefined;
  const str = (x: unknown, max: number) => (typeof x === 'string' && x.length <= max ? x : undefined);
  const tokenId = str(o.tokenId, 64);
  const source = str(o.source, 64);
  const userAgent = str(o.userAgent, 256);
  return { id: o.id, permissions: o.permissions as string[], ...(tokenId ? { tokenId } : {}), ...(source ? { source } : {}), ...(userAgent ? { userAgent } : {}) };
}

/** The audit part of a commit's metadata for this principal. */
export function auditOf(p: CommandPrincipal): { tokenId?: string; source?: string; userAgent?: string } | undefined {
  const a = { ...(p.tokenId ? { tokenId: p.tokenId } : {}), ...(p.source ? { source: p.source } : {}), ...(p.userAgent ? { userAgent: p.userAgent } : {}) };
  return Object.keys(a).length ? a : undefined;
}
