import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOidcProvider extends AsyncDisposable {
  issuer: string;
  clientId: string;
  /** The token it hands out for a code whose PKCE verifier matched: a JWT for `user:oidc-user` in group `ml`. */
  token: string;
  /**
   * A JWT signed by the provider's key (in its JWKS at `jwks_uri`): `sub` oidc-user, `aud` the client
   * id, `groups` [ml], an hour to live, unless `claims` say otherwise; `otherKey` signs with a key
   * the JWKS does not hold.
   */
  sign(claims?: JWTPayload, opts?: { otherKey?: boolean }): Promise<string>;
  /** Every authorization request it saw. */
  authorizations: URLSearchParams[];
}

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * An OpenID provider on loopback, just enough for a browser's authorization-code + PKCE sign-in:
 * discovery, `/authorize` (answers at once with a code, as a signed-in user would) and `/token`, which
 * gives the token only for the right client, redirect URI and code verifier (S256).
 */
export async function startFakeOidcProvider(): Promise<FakeOidcProvider> {
  const clientId = 'trainyard-console';
  const key = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const sign = async (claims: JWTPayload = {}, opts: { otherKey?: boolean } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const body: JWTPayload = { iss: issuer, sub: 'oidc-user', aud: clientId, iat: now, exp: now + 3600, groups: ['ml'], ...claims };
    return new SignJWT(body).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(opts.otherKey ? stranger.privateKey : key.privateKey);
  };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const authorizations: URLSearchParams[] = [];
  let token = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader('access-control-allow-headers', 'content-type, accept');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, code_challenge_methods_supported: ['S256'] });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      authorizations.push(q);
      if (q.get('client_id') !== clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256') return json(400, { error: 'invalid_request' });
      const code = b64url(randomBytes(12));
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const grant = codes.get(f.get('code') ?? '');
        codes.delete(f.get('code') ?? '');
        const verified = grant && b64url(createHash('sha256').update(f.get('code_verifier') ?? '').digest()) === grant.challenge;
        if (!grant || !verified || f.get('redirect_uri') !== grant.redirectUri || f.get('client_id') !== clientId || f.get('grant_type') !== 'authorization_code') {
          return json(400, { error: 'invalid_grant' });
        }
        json(200, { access_token: token, token_type: 'Bearer', expires_in: 300 });
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  token = await sign();
  return {
    issuer, clientId, token, authorizations, sign,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
