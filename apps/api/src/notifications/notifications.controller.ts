import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { DEFAULT_PROJECT, ErrorCode, FieldCode, may, Permission, SUBJECT_TOKEN, type SubscriptionScope, SUBSCRIPTION_ID, TrainyardError, validateSubscription } from '@trainyard/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { READS } from '../api.tokens';
import { IDENTITY } from '../auth/auth.tokens';
import type { IdentityDirectory } from '../auth/identity-directory';
import { Auth, type RequestAuth } from '../auth/request-auth';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { SUBSCRIPTIONS } from './notification.tokens';
import type { SubscriptionDirectory } from './subscription-directory';
import { subscriptionView } from './subscription-view';

/**
 * Webhook subscriptions to the guide's notification events (issue 15) and their delivery log. Every
 * change is an event of the subscription's aggregate; the secret is stored apart and is in the answer
 * to a creation only when the API made it (a secret the caller chose is never sent back).
 */
@Controller('v1/notifications')
export class NotificationsController {
  constructor(
    @Inject(SUBSCRIPTIONS) private readonly subscriptions: SubscriptionDirectory,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(IDENTITY) private readonly identity: IdentityDirectory,
  ) {}

  /** `{ job | project, events, url, secret?, description? }` → the subscription (and its secret, when made here). */
  @Post()
  @HttpCode(201)
  async create(@Auth() auth: RequestAuth, @Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string) {
    const v = validateSubscription(body);
    if (!v.ok) throw new TrainyardError(ErrorCode.ValidationFailed, `subscription has ${v.errors.length} error(s)`, v.errors);
    const r = v.request;
    let scope: SubscriptionScope;
    let job: { state: string; accelerated: boolean } | undefined;
    if (r.job !== undefined) {
      const found = await this.reads.getJob(r.job);
      // The guard answered 404 for a job the caller cannot read; one that is not there is the same 404.
      if (!found || found.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${r.job}`, [{ path: 'job', code: FieldCode.Required, message: 'no such job' }]);
      const flavor = found.spec.spec.resource.flavor;
      job = { state: found.state, accelerated: (flavor?.gpu ?? 0) > 0 || (flavor?.npu ?? 0) > 0 };
      scope = { kind: 'job', jobId: r.job, project: found.project || DEFAULT_PROJECT };
    } else {
      if (!this.identity.view.projects.has(r.project!)) throw new TrainyardError(ErrorCode.NotFound, `no project ${r.project}`, [{ path: 'project', code: FieldCode.Required, message: 'no such project' }]);
      scope = { kind: 'project', project: r.project! };
    }
    const { id, commandId } = subscriptionIds(auth.principal.id, idempotencyKey);
    const store = this.reads.notificationStore();
    const retried = this.subscriptions.get(id);
    if (retried) {
      // The same caller's retry of a creation that went through: the same answer, its secret included
      // when the API made it (a caller that lost the first answer lost the secret with it).
      const secret = r.secret === undefined ? await store.storeSecret(id, `whsec_${randomBytes(32).toString('base64url')}`) : undefined;
      return { ...subscriptionView(retried), ...(secret ? { secret } : {}) };
    }
    // The secret first: the notifier may see the subscription's event before this answer is sent.
    const stored = await store.storeSecret(id, r.secret ?? `whsec_${randomBytes(32).toString('base64url')}`);
    const made = r.secret === undefined ? stored : undefined;
    try {
      await this.subscriptions.execute(id, {
        type: 'Subscribe',
        data: { subscriptionId: id, scope, events: r.events, url: r.url, ...(r.description ? { description: r.description } : {}), by: auth.principal.id, ...(job ? { job } : {}) },
        metadata: { now: new Date().toISOString() },
      }, auth.principal.id, { commandId });
    } catch (err) {
      await store.deleteSecret(id).catch(() => undefined);
      throw err;
    }
    return { ...subscriptionView(this.subscriptions.get(id)!), ...(made ? { secret: made } : {}) };
  }

  /** The subscriptions the caller may read (`?job=`, `?project=` to narrow). */
  @Get()
  list(@Auth() auth: RequestAuth, @Query() query: Record<string, string | undefined>) {
    const check = new ParamCheck();
    const job = query.job === undefined ? undefined : check.matches('job', query.job, SUBJECT_TOKEN, 'a job id');
    const project = query.project;
    check.done();
    const items = this.subscriptions.list()
      .filter((s) => may(auth.principal, Permission.JobRead, { project: s.scope.project, createdBy: '' }))
      .filter((s) => (job === undefined || (s.scope.kind === 'job' && s.scope.jobId === job)) && (project === undefined || s.scope.project === project))
      .map(subscriptionView);
    return { items };
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return subscriptionView(this.found(id));
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@Auth() auth: RequestAuth, @Param('id') id: string) {
    this.found(id);
    const { seq } = await this.subscriptions.execute(id, { type: 'Unsubscribe', data: { subscriptionId: id, by: auth.principal.id }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    await this.reads.notificationStore().deleteSecret(id);
    return { id, removed: true, seq };
  }

  /** The delivery log: each notification of the subscription with every attempt, newest first. */
  @Get(':id/deliveries')
  async deliveries(@Param('id') id: string, @Query('limit') limit?: string) {
    this.found(id);
    const check = new ParamCheck();
    const n = check.int('limit', limit, { min: 1, max: 500, fallback: 100 });
    check.done();
    return { items: await this.reads.notificationStore().listDeliveries({ subscriptionId: id, limit: n }) };
  }

  private found(id: string) {
    const check = new ParamCheck();
    check.matches('id', id, SUBSCRIPTION_ID, 'a subscription id');
    check.done();
    const s = this.subscriptions.get(id);
    if (!s) throw new TrainyardError(ErrorCode.NotFound, `no subscription ${id}`);
    return s;
  }
}

/**
 * A subscription id and command id for a creation. With an `Idempotency-Key` both derive from the key
 * and the caller (one caller's key never names another's subscription), so a retried POST names the
 * same subscription and its commit is deduplicated by the log.
 */
function subscriptionIds(principal: string, idempotencyKey: string | undefined): { id: string; commandId: string } {
  if (!idempotencyKey) return { id: randomUUID(), commandId: randomUUID() };
  const h = createHash('sha256').update(`notify\n${principal}\n${idempotencyKey}`).digest('hex');
  return { id: `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`, commandId: `idem-notify-${h.slice(0, 32)}` };
}
