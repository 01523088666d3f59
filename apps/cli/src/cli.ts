import { Command, CommanderError } from 'commander';
import type { CliEnv } from './cli-env';
import { ExitCode } from './cli-error';
import { CommandContext } from './command-context';
import { registerAdmin } from './commands/admin';
import { registerLogin } from './commands/login';
import { registerAudit } from './commands/audit';
import { registerAdminIdentity } from './commands/admin-identity';
import { registerAdminBootstrap } from './commands/admin-bootstrap';
import { registerAdminNodeJoin } from './commands/admin-node-join';
import { registerDelete } from './commands/delete';
import { registerDescribe } from './commands/describe';
import { registerEvents } from './commands/events';
import { registerHistory } from './commands/history';
import { registerJobs } from './commands/jobs';
import { registerLogs } from './commands/logs';
import { registerNode } from './commands/node';
import { registerNodes } from './commands/nodes';
import { registerPools } from './commands/pools';
import { registerPriority } from './commands/priority';
import { registerStop } from './commands/stop';
import { registerExec } from './commands/exec';
import { registerSubmit } from './commands/submit';
import { registerQuota } from './commands/quota';
import { registerNotify } from './commands/notify';
import { registerSearch } from './commands/search';
import { registerWait } from './commands/wait';
import { registerCopy } from './commands/copy';
import { registerEdit } from './commands/edit';
import { registerExperiment } from './commands/experiment';
import { registerFlavors } from './commands/flavors';
import { renderError } from './render-error';
import { outputFormat } from './output-format';

/** Builds the `yard` program. Everything it touches outside itself comes through `ctx.env`. */
export function buildProgram(ctx: CommandContext): Command {
  const { env } = ctx;
  const program = new Command('yard')
    .description('Trainyard command line: submit, inspect and control training jobs through the HTTP API')
    .option('--api <url>', 'API base URL (default: $TY_API_URL, else http://127.0.0.1:8080)')
    .option('-o, --output <format>', "json or yaml: the API's answer; wide: tables with more columns (default: table)", outputFormat)
    .option('--json', 'the same as -o json')
    .option('--context <name>', 'CLI config context to use (default: $TY_CONTEXT, else the current one; see yard login)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => env.stdout(text),
      writeErr: (text) => env.stderr(text),
      // Commander's own complaints follow the CLI's `error CODE: message` shape too.
      outputError: (text, write) => write(text.replace(/^error: /, 'error USAGE: ')),
    })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  for (const register of [
    registerSubmit,
    registerCopy,
    registerEdit,
    registerJobs,
    registerDescribe,
    registerEvents,
    registerLogs,
    registerStop,
    registerExec,
    registerSearch,
    registerPriority,
    registerDelete,
    registerWait,
    registerNodes,
    registerNode,
    registerPools,
    registerFlavors,
    registerExperiment,
    registerAdmin,
    registerAdminIdentity,
    registerAdminBootstrap,
    registerAdminNodeJoin,
    registerLogin,
    registerAudit,
    registerHistory,
    registerQuota,
    registerNotify,
  ]) {
    register(program, ctx);
  }
  return program;
}

/** Runs `yard` with `argv` (the user's arguments only) and resolves with the exit code; never throws. */
export async function runCli(argv: readonly string[], env: CliEnv): Promise<number> {
  const ctx = new CommandContext(env);
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; everything commander rejects is a usage error.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (env.signal?.aborted) return ExitCode.Interrupted;
    const { text, exitCode } = renderError(err);
    env.stderr(text);
    return exitCode;
  }
}
