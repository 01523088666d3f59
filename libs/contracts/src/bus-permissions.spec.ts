import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agentIdentity, busPermissions, mayPublish, maySubscribe, renderAuthorization, SERVICE_IDENTITIES, subjectMatches } from './bus-permissions';
import { Subjects } from './subjects';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const twoNodes = fc.tuple(token, token).filter(([a, b]) => a !== b);
const verbs = ['register', 'started', 'exited', 'precheck', 'staging', 'checkpointed', 'view'];

describe('bus permissions', () => {
  it('bus permissions - subject matching: * is one token, > one or more', () => {
    expect(subjectMatches('ty.ev.>', 'ty.ev.job.j1')).toBe(true);
    expect(subjectMatches('ty.ev.>', 'ty.ev')).toBe(false);
    expect(subjectMatches('ty.hb.*', 'ty.hb.n1')).toBe(true);
    expect(subjectMatches('ty.hb.*', 'ty.hb.n1.x')).toBe(false);
    expect(subjectMatches('ty.hb.n1', 'ty.hb.n2')).toBe(false);
  });

  it('bus permissions - an agent may not touch another node: its reports, work, heartbeats or consumer', () => {
    fc.assert(
      fc.property(twoNodes, token, fc.constantFrom(...verbs), ([a, b], job, verb) => {
        const p = busPermissions(agentIdentity(a));
        const foreign = [
          Subjects.report(b, verb),
          Subjects.heartbeat(b),
          Subjects.metrics(b),
          `$JS.API.CONSUMER.CREATE.TY_EVENTS.agent-${b}.${Subjects.node(b)}`,
          `$JS.API.CONSUMER.CREATE.TY_EVENTS.agent-${a}.${Subjects.node(b)}`,
          `$JS.API.CONSUMER.MSG.NEXT.TY_EVENTS.agent-${b}`,
          `$JS.ACK.TY_EVENTS.agent-${b}.1.1.1.1.1`,
        ];
        for (const s of foreign) expect(mayPublish(p, s), s).toBe(false);
        expect(maySubscribe(p, Subjects.node(b))).toBe(false);
        expect(maySubscribe(p, `_INBOX.agent-${b}.x`)).toBe(false);
        // Log lines only under its own node (issue 11): another node's subject is not its to publish on.
        expect(mayPublish(p, Subjects.log(job, 'worker-0', a))).toBe(true);
        expect(mayPublish(p, Subjects.log(job, 'worker-0', b))).toBe(false);
        expect(mayPublish(p, `ty.log.${job}.worker-0`)).toBe(false);
        // Its own: reports and its durable, filtered by its node subject only.
        expect(mayPublish(p, Subjects.report(a, verb))).toBe(true);
        expect(mayPublish(p, `$JS.API.CONSUMER.CREATE.TY_EVENTS.agent-${a}.${Subjects.node(a)}`)).toBe(true);
        // Never the log: no assignment, no report appended by itself, on any subject; no commands.
        for (const s of [Subjects.node(a), Subjects.node(b), Subjects.job(job), Subjects.iamCluster, Subjects.command('scheduler', 'submit'), '$JS.API.CONSUMER.CREATE.TY_EVENTS']) {
          expect(mayPublish(p, s), s).toBe(false);
        }
        expect(maySubscribe(p, Subjects.job(job))).toBe(false);
      }),
    );
  });

  it('bus permissions - only the API publishes commands (and the tuner its trials\' submit and stop), and only the service itself takes its own', () => {
    fc.assert(
      fc.property(fc.constantFrom('scheduler', 'fault-manager'), fc.oneof(token, fc.constantFrom('submit', 'stop')), token, (service, verb, node) => {
        const cmd = Subjects.command(service, verb);
        const trialCommand = service === 'scheduler' && (verb === 'submit' || verb === 'stop');
        for (const id of [...SERVICE_IDENTITIES, agentIdentity(node)]) {
          expect(mayPublish(busPermissions(id), cmd), `${id} publishes ${cmd}`).toBe(id === 'api' || (id === 'tuner' && trialCommand));
          expect(maySubscribe(busPermissions(id), cmd), `${id} subscribes ${cmd}`).toBe(id === service);
        }
      }),
    );
  });

  it('bus permissions - the notifier reads the log through its own durable only: it appends nothing, sends no command, touches no other consumer', () => {
    const p = busPermissions('notifier');
    expect(mayPublish(p, '$JS.API.CONSUMER.CREATE.TY_EVENTS.notifier.ty.ev.>')).toBe(true);
    expect(mayPublish(p, '$JS.API.CONSUMER.MSG.NEXT.TY_EVENTS.notifier')).toBe(true);
    expect(mayPublish(p, '$JS.ACK.TY_EVENTS.notifier.1.2.3.4.5')).toBe(true);
    expect(p.allowResponses).toBe(false);
    fc.assert(
      fc.property(token, token, fc.constantFrom('scheduler', 'fault-manager', 'api'), (id, other, service) => {
        const refused = [
          Subjects.job(id), Subjects.node(id), Subjects.notifySubscription(id), Subjects.iamCluster, Subjects.command(service, other),
          Subjects.report(id, 'started'), Subjects.heartbeat(id), `$KV.TY_LEADER.${id}`,
          `$JS.API.CONSUMER.CREATE.TY_EVENTS.agent-${id}.${Subjects.node(id)}`, `$JS.API.CONSUMER.MSG.NEXT.TY_EVENTS.agent-${id}`,
          `$JS.API.STREAM.PURGE.TY_EVENTS`, `$JS.API.STREAM.MSG.DELETE.TY_EVENTS`, `$JS.API.CONSUMER.DELETE.TY_EVENTS.notifier`,
        ];
        if (other !== 'notifier') refused.push(`$JS.API.CONSUMER.MSG.NEXT.TY_EVENTS.${other}`, `$JS.ACK.TY_EVENTS.${other}.1.1.1.1.1`);
        for (const s of refused) expect(mayPublish(p, s), s).toBe(false);
        for (const s of [Subjects.job(id), Subjects.command(service, other), Subjects.heartbeat(id), `_INBOX.api.${id}`]) expect(maySubscribe(p, s), s).toBe(false);
      }),
    );
  });

  it('bus permissions - exec requests (issue 15): only the API asks, and each agent hears only its own node', () => {
    fc.assert(
      fc.property(token, token, (a, b) => {
        fc.pre(a !== b);
        expect(mayPublish(busPermissions('api'), Subjects.exec(a))).toBe(true);
        for (const id of ['scheduler', 'fault-manager', 'log-router', 'notifier', agentIdentity(a)] as const) expect(mayPublish(busPermissions(id), Subjects.exec(b)), id).toBe(false);
        expect(maySubscribe(busPermissions(agentIdentity(a)), Subjects.exec(a))).toBe(true);
        expect(maySubscribe(busPermissions(agentIdentity(a)), Subjects.exec(b))).toBe(false);
      }),
    );
  });

  it('bus permissions - the authorization block lists each user with its key and permissions, and refuses a non-user key', () => {
    const key = `U${'A'.repeat(55)}`;
    const text = renderAuthorization([{ identity: 'scheduler', nkey: key }, { identity: agentIdentity('n1'), nkey: key }]);
    expect(text).toContain('authorization {');
    expect(text).toContain(`{ nkey: "${key}"`);
    expect(text).toContain('"ty.report.*.*"');
    expect(text).toContain('"$JS.API.CONSUMER.CREATE.TY_EVENTS.agent-n1.ty.ev.node.n1"');
    // The scheduler answers commands; the agent answers exec requests on its own node (issue 15).
    expect(text.match(/allow_responses: true/g)).toHaveLength(2);
    expect(text).toContain('"ty.exec.n1"');
    expect(() => renderAuthorization([{ identity: 'api', nkey: `S${'A'.repeat(55)}` }])).toThrow(/not a user nkey/);
    expect(() => agentIdentity('a.b')).toThrow();
  });
});
