import { NOTIFICATION_EVENTS, validateSubscription } from '@trainyard/contracts';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { UsageError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { formatDeliveries, formatSubscriptions } from '../format-notify';
import { integerBetween, resourceId } from '../option-parsers';

interface AddOptions {
  job?: string;
  project?: string;
  events: string;
  url: string;
  secretFile?: string;
  description?: string;
}

/** `yard notify list|add|remove|deliveries` (issue 15): webhooks of the guide's notification events. */
export function registerNotify(program: Command, ctx: CommandContext): void {
  const notify = program.command('notify').description(`webhook notifications of job events (${NOTIFICATION_EVENTS.join(', ')}), signed with HMAC-SHA256`);

  notify
    .command('list')
    .description('the subscriptions you may read')
    .option('--job <id>', 'of this job only', resourceId)
    .option('--project <id>', 'of this project only', resourceId)
    .action(
      ctx.action(async (cmd, opts: { job?: string; project?: string }) => {
        const r = await ctx.client(cmd).listNotifications(opts);
        ctx.print(cmd, r, () => formatSubscriptions(r.items));
      }),
    );

  notify
    .command('add')
    .description('subscribe a webhook to a job (not one that is over) or to every job of a project; prints the secret once when it makes one')
    .option('--job <id>', "the job's events")
    .option('--project <id>', "the events of every job of the project")
    .requiredOption('--events <list>', `comma-separated: ${NOTIFICATION_EVENTS.join(', ')} (suspected-hang: GPU/NPU jobs only)`)
    .requiredOption('--url <url>', 'http(s) URL each notification is POSTed to')
    .option('--secret-file <file>', 'the signing secret (16–256 visible ASCII) from this file; default: the API makes one')
    .option('--description <text>', 'what it is for')
    .action(
      ctx.action(async (cmd, opts: AddOptions) => {
        const secret = opts.secretFile === undefined ? undefined : readSecret(opts.secretFile);
        const body = {
          ...(opts.job !== undefined ? { job: opts.job } : {}),
          ...(opts.project !== undefined ? { project: opts.project } : {}),
          events: opts.events.split(',').map((e) => e.trim()).filter(Boolean),
          url: opts.url,
          ...(secret !== undefined ? { secret } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        };
        // The API's own rules, before any round trip: a typo is a usage error naming the field.
        const v = validateSubscription(body);
        if (!v.ok) throw new UsageError(v.errors.map((e) => `${optionOf(e.path)}: ${e.message}`).join('; '));
        const s = await ctx.client(cmd).addNotification(v.request);
        ctx.print(cmd, s, () => `${s.id}\n${s.secret ? `secret ${s.secret}\n(shown once: keep it where your receiver reads it)\n` : ''}`);
      }),
    );

  notify
    .command('remove')
    .description('remove a subscription: nothing more is sent, pending deliveries are cancelled')
    .argument('<id>', 'subscription id')
    .action(
      ctx.action(async (cmd, id: string) => {
        const r = await ctx.client(cmd).removeNotification(id);
        ctx.print(cmd, r, () => `subscription ${id} removed\n`);
      }),
    );

  notify
    .command('deliveries')
    .description('the delivery log of a subscription: each notification, its status and attempts')
    .argument('<id>', 'subscription id')
    .option('--limit <n>', 'at most this many, newest first (default 100)', integerBetween(1, 500))
    .action(
      ctx.action(async (cmd, id: string, opts: { limit?: number }) => {
        const r = await ctx.client(cmd).notificationDeliveries(id, opts.limit);
        ctx.print(cmd, r, () => formatDeliveries(r.items));
      }),
    );
}

/** A secret comes from a file, never the command line (shell history, `ps`); one trailing newline is not part of it. */
function readSecret(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UsageError(`--secret-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const optionOf = (path: string) => {
  const field = path.replace(/\[\d+\]$/, '');
  return field === 'secret' ? '--secret-file' : `--${field}`;
};
