import type { FieldError } from '@trainyard/contracts';
import { readToken } from '../session/token-store';

/** An answer of the API that is not a success, with its stable code and the offending fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Told when the API answers 401: the token is missing, expired or revoked. */
let onUnauthenticated: () => void = () => undefined;
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/** The request headers every call carries: the session's bearer token, when there is one. */
export function authHeaders(token = readToken()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * Calls the public API on this origin: JSON in and out, the session's token as a bearer token, and
 * any error answer turned into an {@link ApiError}.
 */
export async function api<T>(method: string, path: string, body?: unknown, opts: { token?: string; signal?: AbortSignal } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(opts.token ?? readToken()) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'UNREACHABLE', 'the API cannot be reached');
  }
  const text = await res.text();
  const parsed = text ? safeJson(text) : undefined;
  if (res.ok) return parsed as T;
  if (res.status === 401) onUnauthenticated();
  const error = (parsed as { error?: { code?: string; message?: string; details?: FieldError[] } } | undefined)?.error;
  throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? (res.statusText || `HTTP ${res.status}`), error?.details ?? []);
}

/** Fetches a file with the session's token and hands it to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, `download failed (${res.status})`);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `?a=1&b=x` from the defined entries. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
