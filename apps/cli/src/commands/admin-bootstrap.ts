import type { Command } from 'commander';
import { FieldCode, SUBJECT_TOKEN } from '@trainyard/contracts';
import { bootstrapBus, NatsCredentialsError } from '@trainyard/event-log';
import path from 'node:path';
import { CliError, ExitCode } from '../cli-error';
import type { CommandContext } from '../command-context';

/**
 * `yard admin bootstrap`: the locked bus's users (issue 11) — one credentials file per service and
 * node agent (mode 0600) and the nats-server authorization include file. Offline: it talks to no
 * server; run it where the files are to live, then hand each process its file.
 */
export function registerAdminBootstrap(program: Command, ctx: CommandContext): void {
  const admin = program.commands.find((c) => c.name() === 'admin') ?? program.command('admin');
  admin
    .command('bootstrap')
    .description("write NATS credentials for every service and node agent and the server's authorization include file (runs again to add nodes; keys already written are kept)")
    .requiredOption('--nodes <ids>', 'the node agents, comma-separated (their TY_NODE_ID)')
    .option('--out <dir>', 'where the files go', 'trainyard-bus')
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ nodes: string; out: string }>();
        const nodes = o.nodes.split(',').map((n) => n.trim()).filter(Boolean);
        const bad = nodes.filter((n) => !SUBJECT_TOKEN.test(n));
        if (nodes.length === 0 || bad.length) {
          throw new CliError('VALIDATION_FAILED', `--nodes: node ids must match [A-Za-z0-9_-]{1,128}${bad.length ? ` (not: ${bad.join(', ')})` : ''}`, ExitCode.Usage, undefined, [
            { path: 'nodes', code: FieldCode.InvalidFormat, message: 'comma-separated node ids' },
          ]);
        }
        const dir = path.resolve(ctx.env.cwd, o.out);
        let out;
        try {
          out = bootstrapBus(dir, nodes);
        } catch (err) {
          if (err instanceof NatsCredentialsError) throw new CliError('FILE_UNREADABLE', err.message);
          throw err;
        }
        const result = { authorizationFile: out.authorizationFile, credentials: Object.fromEntries(out.credentials) };
        ctx.print(cmd, result, () =>
          [
            `Authorization block: ${out.authorizationFile}`,
            `  put "include ${path.basename(out.authorizationFile)}" in the nats-server config next to it, and restart the server`,
            'Credentials (mode 0600; give each process its own as TY_NATS_CREDENTIALS):',
            ...[...out.credentials].map(([identity, file]) => `  ${identity.padEnd(24)} ${file}`),
            '',
          ].join('\n'),
        );
      }),
    );
}
