import { FieldCode, type FieldError } from './errors';
import { PROJECT_ID } from './identity-events';
import { NOTIFICATION_EVENTS, type NotificationEvent } from './notification-events';
import { isStorableText } from './storable-text';
import { SUBJECT_TOKEN } from './subjects';

/** A subscription request (`POST /v1/notifications`, `yard notify add`): a job or a project, events, a URL. */
export interface SubscriptionRequest {
  /** One job's events… */
  job?: string;
  /** …or those of every job of a project. */
  project?: string;
  events: NotificationEvent[];
  url: string;
  /** 16–256 visible ASCII characters; absent: the API makes one and shows it once. */
  secret?: string;
  description?: string;
}

export const SUBSCRIPTION_LIMITS = { urlChars: 2048, secretMin: 16, secretMax: 256, description: 256 } as const;
const KNOWN = ['job', 'project', 'events', 'url', 'secret', 'description'];
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export type SubscriptionCheck = { ok: true; request: SubscriptionRequest } | { ok: false; errors: FieldError[] };

/**
 * The shape rules of a subscription request, every offending field reported with a stable code.
 * What needs the cluster's state (the job exists, is not over, runs on GPU/NPU for `suspected-hang`)
 * is the decider's (`decideSubscription`, libs/domain).
 *
 * @example
 * ```ts
 * validateSubscription({ project: 'vision', events: ['failed'], url: 'https://hooks.example/ty' }) // ok
 * validateSubscription({ events: ['ended'], url: 'ftp://x' }) // job REQUIRED, events[0] INVALID_FORMAT, url INVALID_FORMAT
 * ```
 */
export function validateSubscription(body: unknown): SubscriptionCheck {
  const errors: FieldError[] = [];
  const add = (path: string, code: FieldError['code'], message: string) => errors.push({ path, code, message });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ path: '', code: FieldCode.InvalidType, message: 'expected a JSON object' }] };
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!KNOWN.includes(k)) add(k, FieldCode.Unknown, `${k} is not a field of a subscription (${KNOWN.join(', ')})`);

  const job = b.job === undefined || b.job === null ? undefined : b.job;
  const project = b.project === undefined || b.project === null ? undefined : b.project;
  if (job === undefined && project === undefined) add('job', FieldCode.Required, 'name a job (job) or a project (project)');
  if (job !== undefined && project !== undefined) add('project', FieldCode.Conflict, 'name a job or a project, not both');
  if (job !== undefined && (typeof job !== 'string' || !SUBJECT_TOKEN.test(job))) add('job', FieldCode.InvalidFormat, 'job must be a job id');
  if (project !== undefined && (typeof project !== 'string' || !PROJECT_ID.test(project))) add('project', FieldCode.InvalidFormat, 'project must be a project id');

  const events: NotificationEvent[] = [];
  if (!Array.isArray(b.events) || b.events.length === 0) {
    add('events', b.events === undefined ? FieldCode.Required : FieldCode.InvalidType, `events must be a non-empty list of ${NOTIFICATION_EVENTS.join(', ')}`);
  } else if (b.events.length > NOTIFICATION_EVENTS.length) {
    add('events', FieldCode.TooMany, `at most ${NOTIFICATION_EVENTS.length} events`);
  } else {
    b.events.forEach((e, i) => {
      if (typeof e !== 'string' || !(NOTIFICATION_EVENTS as readonly string[]).includes(e)) add(`events[${i}]`, FieldCode.InvalidFormat, `events[${i}] must be one of ${NOTIFICATION_EVENTS.join(', ')}`);
      else if (events.includes(e as NotificationEvent)) add(`events[${i}]`, FieldCode.Duplicate, `${e} is listed twice`);
      else events.push(e as NotificationEvent);
    });
  }

  const url = b.url;
  if (url === undefined) add('url', FieldCode.Required, 'url is required');
  else if (typeof url !== 'string') add('url', FieldCode.InvalidType, 'url must be a string');
  else if ([...url].length > SUBSCRIPTION_LIMITS.urlChars) add('url', FieldCode.TooLong, `url is longer than ${SUBSCRIPTION_LIMITS.urlChars} characters`);
  else {
    const parsed = parseUrl(url);
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) add('url', FieldCode.InvalidFormat, 'url must be an http:// or https:// URL');
    // Credentials in a URL would be shown by every list and written to every log line naming it.
    else if (parsed.username || parsed.password) add('url', FieldCode.Forbidden, 'url must not hold credentials; the signature authenticates the sender');
  }

  const secret = b.secret;
  if (secret !== undefined && (typeof secret !== 'string' || !VISIBLE_ASCII.test(secret) || secret.length < SUBSCRIPTION_LIMITS.secretMin || secret.length > SUBSCRIPTION_LIMITS.secretMax)) {
    add('secret', FieldCode.InvalidFormat, `secret must be ${SUBSCRIPTION_LIMITS.secretMin}–${SUBSCRIPTION_LIMITS.secretMax} visible ASCII characters`);
  }
  const description = b.description;
  if (description !== undefined && description !== null) {
    if (typeof description !== 'string') add('description', FieldCode.InvalidType, 'description must be a string');
    else if (!isStorableText(description)) add('description', FieldCode.InvalidText, 'description holds U+0000 or an unpaired surrogate');
    else if ([...description].length > SUBSCRIPTION_LIMITS.description) add('description', FieldCode.TooLong, `description is longer than ${SUBSCRIPTION_LIMITS.description} characters`);
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    request: {
      ...(job !== undefined ? { job: job as string } : { project: project as string }),
      events,
      url: url as string,
      ...(secret !== undefined ? { secret: secret as string } : {}),
      ...(typeof description === 'string' && description.trim() ? { description: description.trim() } : {}),
    },
  };
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
