/**
 * Sign-in with an OpenID Connect provider as a public client: authorization code with PKCE (S256),
 * the verifier and state kept in sessionStorage across the redirect. The provider's token comes back
 * to this page, which keeps it like a pasted token. Endpoints come from the issuer's discovery document.
 */
const KEY = 'trainyard.oidc';

interface Pending {
  state: string;
  verifier: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
}

const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n: number) => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function discover(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`the identity provider's discovery document answered ${res.status}`);
  return res.json();
}

/** The page the provider sends the browser back to: this page, without its query or hash. */
export const redirectUri = () => `${location.origin}${location.pathname}`;

export async function beginOidcSignIn(cfg: { issuer: string; clientId: string; scope: string }): Promise<void> {
  const d = await discover(cfg.issuer);
  const verifier = random(32);
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: Pending = { state: random(16), verifier, tokenEndpoint: d.token_endpoint, clientId: cfg.clientId, redirectUri: redirectUri() };
  sessionStorage.setItem(KEY, JSON.stringify(pending));
  const q = new URLSearchParams({
    response_type: 'code', client_id: cfg.clientId, redirect_uri: pending.redirectUri, scope: cfg.scope,
    state: pending.state, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(`${d.authorization_endpoint}?${q}`);
}

/**
 * Finishes a sign-in when the provider sent the browser back (`?code&state`): checks the state,
 * trades the code for a token and takes the query off the address. Null when this is no such return.
 */
export async function completeOidcSignIn(): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Pending | null;
  sessionStorage.removeItem(KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash || '#/jobs'}`);
  if (error) throw new Error(`the identity provider refused the sign-in: ${params.get('error_description') ?? error}`);
  if (!pending || params.get('state') !== pending.state) throw new Error('the sign-in answer does not match the sign-in this page started');
  const res = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code!, redirect_uri: pending.redirectUri, client_id: pending.clientId, code_verifier: pending.verifier }),
  });
  if (!res.ok) throw new Error(`the identity provider did not give a token (${res.status})`);
  const body = (await res.json()) as { access_token?: string; id_token?: string };
  const token = body.access_token ?? body.id_token;
  if (!token) throw new Error('the identity provider answered without a token');
  return token;
}
