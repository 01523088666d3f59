import { describe, expect, it } from 'vitest';
import { JoinError, joinedCredentialsPath, joinRequestFrom } from './join-cluster';

const TOKEN = `tyj_${'abcdefghijkl'}_${'x'.repeat(43)}`;

describe('joinRequestFrom - the agent\'s --join <api-url> --token T', () => {
  it('reads both flags, in either spelling, or the environment; none when nothing asks to join', () => {
    expect(joinRequestFrom(['--join', 'http://api:8080/', '--token', TOKEN], {})).toEqual({ apiUrl: 'http://api:8080', token: TOKEN });
    expect(joinRequestFrom([`--join=https://api.example`, `--token=${TOKEN}`], {})).toEqual({ apiUrl: 'https://api.example', token: TOKEN });
    expect(joinRequestFrom([], { TY_JOIN_URL: 'http://10.0.0.1:8080', TY_JOIN_TOKEN: TOKEN })).toEqual({ apiUrl: 'http://10.0.0.1:8080', token: TOKEN });
    expect(joinRequestFrom([], { TY_JOIN_URL: '', TY_JOIN_TOKEN: '' })).toBeUndefined();
  });

  it('refuses half a join, a URL that is not http(s), a token that is not a join token, an unknown option', () => {
    expect(() => joinRequestFrom(['--join', 'http://api:8080'], {})).toThrow(/needs both --join <api-url> and --token/);
    expect(() => joinRequestFrom(['--join', 'nats://api:4222', '--token', TOKEN], {})).toThrow(/must be an http or https URL/);
    expect(() => joinRequestFrom(['--join', 'http://api', '--token', 'tyt_abcdefghijkl_' + 'x'.repeat(43)], {})).toThrow(/not a join token/);
    expect(() => joinRequestFrom(['--jion', 'http://api'], {})).toThrow(JoinError);
  });

  it('keeps the credentials where TY_NATS_CREDENTIALS says, else under TY_DATA_DIR', () => {
    expect(joinedCredentialsPath({ TY_NATS_CREDENTIALS: '/var/lib/trainyard-agent/nats.creds.json' })).toBe('/var/lib/trainyard-agent/nats.creds.json');
    expect(joinedCredentialsPath({ TY_DATA_DIR: '/srv/ty' })).toBe('/srv/ty/nats.creds.json');
  });
});
