import type { Command } from 'commander';
import type { CommandContext } from '../command-context';
import { renderTable, formatTime } from '../format';
import { collect, duration } from '../option-parsers';

/** `yard admin token|project|bind|unbind`: who may do what (issue 11; admins only). */
export function registerAdminIdentity(program: Command, ctx: CommandContext): void {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin');

  const token = admin.command('token').description('API tokens: create (the secret is shown once), list, revoke');
  token
    .command('create')
    .description('make an API token; prints its secret once')
    .requiredOption('--role <role>', 'viewer, member, maintainer (with --project), operator, admin, job:setHighPriority; repeatable', collect)
    .option('--project <id>', 'the project the project roles hold in')
    .option('--user <name>', 'the principal it authenticates (user:<name>); default: a principal of its own (token:<id>)')
    .option('--expires <duration>', 'lifetime such as 30d, 12h (default: no expiry)', duration)
    .option('--description <text>', 'what it is for')
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ role: string[]; project?: string; user?: string; expires?: number; description?: string }>();
        const t = await ctx.client(cmd).createToken({
          roles: o.role, ...(o.project ? { project: o.project } : {}), ...(o.user ? { subject: o.user.includes(':') ? o.user : `user:${o.user}` } : {}),
          ...(o.expires ? { expiresInSeconds: o.expires } : {}), ...(o.description ? { description: o.description } : {}),
        });
        ctx.print(cmd, t, () => `${t.token}\n` + `token ${t.id} for ${t.subject}: ${t.roles.join(', ')}${t.project ? ` in ${t.project}` : ''}${t.expiresAt ? `, expires ${formatTime(t.expiresAt)}` : ''}\n(the secret above is shown only now)\n`);
      }),
    );
  token
    .command('list')
    .description('every token (never their secrets)')
    .action(
      ctx.action(async (cmd) => {
        const page = await ctx.client(cmd).listTokens();
        ctx.print(cmd, page, () =>
          renderTable(['ID', 'SUBJECT', 'ROLES', 'PROJECT', 'EXPIRES', 'REVOKED'], page.items.map((t) => [t.id, t.subject, t.roles.join(','), t.project ?? '-', formatTime(t.expiresAt), formatTime(t.revokedAt)])),
        );
      }),
    );
  token
    .command('revoke')
    .description('revoke a token: it authenticates nothing from now on')
    .argument('<id>', 'token id (the part after tyt_)')
    .option('--reason <text>', 'why')
    .action(
      ctx.action(async (cmd, id: string) => {
        const t = await ctx.client(cmd).revokeToken(id, cmd.opts<{ reason?: string }>().reason);
        ctx.print(cmd, t, () => `token ${t.id} revoked.\n`);
      }),
    );

  const project = admin.command('project').description('projects: every job belongs to one');
  project
    .command('create')
    .argument('<id>', 'lower-case letters, digits, - and _')
    .option('--description <text>')
    .action(
      ctx.action(async (cmd, id: string) => {
        const p = await ctx.client(cmd).createProject(id, cmd.opts<{ description?: string }>().description);
        ctx.print(cmd, p, () => `project ${p.id} created.\n`);
      }),
    );
  project
    .command('list')
    .action(
      ctx.action(async (cmd) => {
        const page = await ctx.client(cmd).listProjects();
        ctx.print(cmd, page, () =>
          renderTable(['PROJECT', 'BINDINGS', 'DESCRIPTION'], page.items.map((p) => [p.id, (p.bindings ?? []).map((b) => `${b.subject}=${b.role}`).join(' ') || '-', p.description ?? '-'])),
        );
      }),
    );

  for (const [verb, unbind] of [['bind', false], ['unbind', true]] as const) {
    admin
      .command(verb)
      .description(unbind ? 'take a role away' : 'give a user or group a role: in a project (viewer, member, maintainer) or cluster-wide (operator, admin, job:setHighPriority)')
      .argument('<subject>', 'user:<name> or group:<name> (OIDC groups)')
      .argument('<role>')
      .option('--project <id>', 'the project (for viewer, member, maintainer)')
      .action(
        ctx.action(async (cmd, subject: string, role: string) => {
          const r = await ctx.client(cmd).bindRole(subject, role, cmd.opts<{ project?: string }>().project, unbind);
          ctx.print(cmd, r, () => `${r.subject} ${unbind ? 'no longer holds' : 'holds'} ${r.role}${r.project ? ` in ${r.project}` : ' cluster-wide'}.\n`);
        }),
      );
  }
}
