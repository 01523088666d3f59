import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ApiClient } from '../api-client';
import { configPath, saveContext } from '../cli-config';
import { UsageError } from '../cli-error';
import type { CommandContext } from '../command-context';
import { resolveApiUrl } from '../command-context';
import { trustCa } from '../trust-ca';

/** `yard login`: checks a token against an API and keeps both as a context of the CLI config. */
export function registerLogin(program: Command, ctx: CommandContext): void {
  program
    .command('login')
    .description('sign in: check the token against the API (GET /v1/me) and save API URL, token and CA as a context of ~/.config/trainyard/config.yaml')
    .option('--token <token>', 'the API token (default: $TY_TOKEN)')
    .option('--ca <file>', 'CA certificate that signed the API server certificate (https; default: $TY_API_CA)')
    .option('--name <context>', 'context name to save it as', 'default')
    .action(
      ctx.action(async (cmd) => {
        const o = cmd.opts<{ token?: string; ca?: string; name: string }>();
        const g = ctx.globals(cmd);
        const token = o.token ?? ctx.env.vars.TY_TOKEN;
        if (!token) throw new UsageError('yard login needs --token (or TY_TOKEN); an admin makes one with yard admin token create');
        const api = resolveApiUrl(g.api || ctx.env.vars.TY_API_URL, ctx.env.vars);
        const path = configPath(ctx.env.vars);
        if (!path) throw new UsageError('no place for the CLI config: set HOME or TY_CONFIG');
        const ca = o.ca ?? ctx.env.vars.TY_API_CA;
        if (ca) trustCa(ca);
        const me = await new ApiClient(api, { signal: ctx.env.signal, fetch: ctx.env.fetch, token }).me();
        saveContext(path, o.name, { api, token, ...(ca ? { ca: resolve(ctx.env.cwd, ca) } : {}) });
        ctx.print(cmd, { context: o.name, api, principal: me }, () => `signed in to ${api} as ${me.id} (context ${o.name}, ${path}).\n`);
      }),
    );
}
