import { describe, expect, it } from 'vitest';
import { ApiTlsConfigError, apiTlsFromEnv, readApiTls } from './api-tls';

describe('apiTlsFromEnv', () => {
  it('neither variable: plain HTTP; both: the two files', () => {
    expect(apiTlsFromEnv({})).toBeUndefined();
    expect(apiTlsFromEnv({ TY_API_TLS_CERT: '/etc/ty/api.pem', TY_API_TLS_KEY: '/etc/ty/api.key' })).toEqual({ certFile: '/etc/ty/api.pem', keyFile: '/etc/ty/api.key' });
  });

  it('one without the other names the missing variable', () => {
    expect(() => apiTlsFromEnv({ TY_API_TLS_CERT: '/etc/ty/api.pem' })).toThrow(/TY_API_TLS_KEY is missing/);
    expect(() => apiTlsFromEnv({ TY_API_TLS_KEY: '/etc/ty/api.key' })).toThrow(/TY_API_TLS_CERT is missing/);
  });

  it('an unreadable file fails naming its variable and the error', () => {
    const err = (() => {
      try {
        readApiTls({ certFile: '/nonexistent/api.pem', keyFile: '/nonexistent/api.key' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ApiTlsConfigError);
    expect((err as Error).message).toBe('TY_API_TLS_CERT=/nonexistent/api.pem: cannot read it (ENOENT)');
  });
});
