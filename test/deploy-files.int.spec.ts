import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryPointApp, envFileKeys, filesUnder, parseUnit, ROOT, variablesTheCodeReads } from './support/deploy-files';

// deploy/ is checked as part of `npm test`: every unit passes systemd-analyze, and every TY_* a
// deploy file sets is a variable the services read (a typo would otherwise be ignored silently).
const read = variablesTheCodeReads();
const text = (f: string) => readFileSync(join(ROOT, f), 'utf8');

describe('the variables the code reads (what deploy files are checked against)', () => {
  it('finds the ones every service reads, and no JetStream names', () => {
    for (const v of ['TY_NATS_URL', 'TY_NATS_CREDENTIALS', 'TY_DATABASE_URL', 'TY_API_PORT', 'TY_NODE_ID', 'TY_STREAM_REPLICAS', 'TY_METRICS_PORT']) expect(read).toContain(v);
    for (const v of ['TY_EVENTS', 'TY_LOGS', 'TY_LEADER']) expect(read).not.toContain(v);
  });
});

const UNITS = filesUnder('deploy/systemd', (n) => n.endsWith('.service'));
const ENV_FILES = filesUnder('deploy/systemd', (n) => n.endsWith('.env'));

describe('deploy/systemd', () => {
  it('has a unit per service and for the agent, each starting that app', () => {
    const apps = UNITS.map((u) => entryPointApp(parseUnit(text(u)).get('Service')!.get('ExecStart')![0]!));
    expect(apps.sort()).toEqual(['api', 'fault-manager', 'log-router', 'node-agent', 'notifier', 'scheduler']);
    for (const app of apps) expect(existsSync(join(ROOT, 'apps', app!, 'src/main.ts'))).toBe(true);
  });

  it('the agent unit stops only the agent (KillMode=process), so its tasks outlive a restart', () => {
    const agent = parseUnit(text('deploy/systemd/trainyard-node-agent.service')).get('Service')!;
    expect(agent.get('KillMode')).toEqual(['process']);
    for (const u of UNITS.filter((u) => !u.includes('node-agent'))) expect(parseUnit(text(u)).get('Service')!.get('KillMode')).toBeUndefined();
  });

  it('every EnvironmentFile a unit reads is one deploy/systemd/env provides', () => {
    const provided = ENV_FILES.map((f) => `/etc/trainyard/${basename(f)}`);
    for (const u of UNITS) for (const f of parseUnit(text(u)).get('Service')!.get('EnvironmentFile')!) expect(provided).toContain(f.replace(/^-/, ''));
  });

  it('every TY_* the env files set is one the code reads', () => {
    const set = ENV_FILES.flatMap((f) => envFileKeys(text(f)));
    expect(set.length).toBeGreaterThan(10);
    expect(set.filter((v) => v.startsWith('TY_') && !read.has(v))).toEqual([]);
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))('systemd-analyze verify passes every unit, installed under a prefix where node exists', () => {
    // The units name /opt/trainyard (deploy/README.md); here the checkout stands in for it.
    const dir = mkdtempSync(join(tmpdir(), 'ty-units-'));
    try {
      for (const u of UNITS) writeFileSync(join(dir, basename(u)), text(u).replaceAll('/opt/trainyard', ROOT));
      const r = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(dir, basename(u)))], { encoding: 'utf8' });
      // A setting it cannot parse is only a warning on stderr (exit 0): both must be clean.
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
