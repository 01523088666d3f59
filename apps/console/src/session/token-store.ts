/**
 * The session's API token lives in sessionStorage: it survives a reload of the tab and ends with it,
 * and no other tab or later visit sees it.
 */
const KEY = 'trainyard.token';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function writeToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}
