import { InvalidArgumentError, type Command } from 'commander';
import type { ClusterEventView } from '@trainyard/contracts';
import type { ClusterEventQuery } from '../api-client';
import type { CommandContext } from '../command-context';
import { UsageError } from '../cli-error';
import { followEvents } from '../event-follow';
import { integerBetween, resourceId } from '../option-parsers';
import { formatClusterEvent, formatClusterEventsTable, formatEventsTable } from '../format';
import { timeBound } from '../time-bound';

interface EventsOptions {
  zh?: boolean;
  all?: boolean;
  follow?: boolean;
  since?: string;
  until?: string;
  type?: string;
  node?: string;
  job?: string;
  actor?: string;
  project?: string;
  limit: number;
}

const eventTypes = (value: string) => {
  const types = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (!types.length || types.some((t) => !/^[A-Z][A-Za-z]{1,63}$/.test(t))) throw new InvalidArgumentError('expected event types such as JobPreempted,NodeIsolated');
  return types.join(',');
};

export function registerEvents(program: Command, ctx: CommandContext): void {
  program
    .command('events')
    .description("show a job's event history, or with --all the whole cluster's, oldest first")
    .argument('[id]', 'job id', resourceId)
    .option('--all', 'every event of the cluster (jobs and nodes), filtered by the options below')
    .option('-f, --follow', 'with --all: keep printing events as they happen (Ctrl-C ends)')
    .option('--since <when>', 'from this time (2h, 30m, 1d back, an ISO time) or sequence (seq:N)', (v) => timeBound(v, ctx.env.now()))
    .option('--until <when>', 'up to this time or sequence', (v) => timeBound(v, ctx.env.now()))
    .option('--type <types>', 'only these event types, comma-separated', eventTypes)
    .option('--node <id>', 'only events naming this node', resourceId)
    .option('--job <id>', 'only events of this job', resourceId)
    .option('--actor <actor>', 'only commits by this actor (user:…, scheduler, node:…)')
    .option('--project <id>', "only events of this project's jobs")
    .option('--limit <n>', 'with --all: at most this many events (pages through the API)', integerBetween(1, 1_000_000), 1000)
    .option('--zh', 'show the Chinese message text (训练作业…)')
    .action(
      ctx.action(async (cmd, id: string | undefined) => {
        const o = cmd.opts<EventsOptions>();
        if (!o.all) {
          if (!id) throw new UsageError('name a job id, or use --all for the whole cluster');
          if (o.follow) throw new UsageError('--follow needs --all (use yard logs -f for a job\'s output)');
          const events = await ctx.client(cmd).listEvents(id);
          ctx.print(cmd, events, () => formatEventsTable(events.items, { zh: o.zh === true }));
          return;
        }
        if (id && o.job) throw new UsageError('give the job either as the argument or as --job');
        const query: ClusterEventQuery = {
          since: o.since,
          until: o.until,
          type: o.type, node: o.node, job: id ?? o.job, actor: o.actor, project: o.project,
        };
        const client = ctx.client(cmd);
        const json = ctx.json(cmd);
        if (o.follow) {
          if (o.until !== undefined) throw new UsageError('--until cannot be combined with --follow');
          ctx.env.stdout(json ? '' : formatClusterEvent(null, { zh: o.zh === true }));
          return followEvents(client, query, {
            event: (e) => ctx.printItem(cmd, e, () => formatClusterEvent(e, { zh: o.zh === true })),
            notice: (text) => ctx.env.stderr(text),
          }, { sleep: (ms) => ctx.env.sleep(ms, ctx.env.signal) });
        }
        const items: ClusterEventView[] = [];
        let after: string | undefined;
        while (items.length < o.limit) {
          const page = await client.listClusterEvents({ ...query, after, limit: Math.min(1000, o.limit - items.length) });
          items.push(...page.items);
          if (!page.next) break;
          after = page.next;
        }
        ctx.print(cmd, { items }, () => formatClusterEventsTable(items, { zh: o.zh === true }));
      }),
    );
}
