import { useState } from 'react';
import { navigate } from '../router';
import { beginOidcSignIn } from '../session/oidc';
import { useSession } from '../session/session';

/** Sign in with an API token (kept for this tab only), or through the OIDC provider when one is configured. */
export function LoginPage() {
  const session = useSession();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [oidcError, setOidcError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    try {
      await session.signIn(token.trim());
      navigate('#/jobs');
    } catch {
      setBusy(false);
    }
  };
  const oidc = session.auth?.oidc;
  return (
    <section className="login">
      <h1>Sign in</h1>
      <form onSubmit={(e) => (e.preventDefault(), void submit())} noValidate>
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            value={token}
            required
            aria-invalid={session.error ? true : undefined}
            aria-describedby={session.error ? 'token-error' : 'token-help'}
            onChange={(e) => setToken(e.target.value)}
          />
          <p id="token-help" className="help">
            The token is sent as a bearer token and kept in this tab only; closing the tab forgets it.
          </p>
          {session.error && (
            <p id="token-error" role="alert" className="error">
              {session.error}
            </p>
          )}
        </div>
        <button type="submit" className="primary" disabled={busy || token.trim() === ''}>
          Sign in
        </button>
      </form>
      {oidc && (
        <div className="oidc">
          <p>Or sign in with your organisation's identity provider.</p>
          <button type="button" onClick={() => beginOidcSignIn(oidc).catch((e) => setOidcError((e as Error).message))}>
            Sign in with {new URL(oidc.issuer).host}
          </button>
          {oidcError && (
            <p role="alert" className="error">
              {oidcError}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
