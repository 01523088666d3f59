import type { Command } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client';
import type { CliEnv } from './cli-env';
import { UsageError } from './cli-error';
import { activeContext, configPath, readConfig } from './cli-config';
import { trustCa } from './trust-ca';
import { renderOutput, renderStreamItem, type OutputFormat } from './output-format';

/** Options every command accepts (declared once on the program, read through `optsWithGlobals`). */
export interface GlobalOptions {
  api?: string;
  json?: boolean;
  output?: OutputFormat;
  context?: string;
}

/**
 * What a command handler needs: the environment, an API client for the `--api` in effect, and the
 * output format (`-o`, `--json`). Handlers return their exit code.
 */
export class CommandContext {
  exitCode = 0;

  constructor(readonly env: CliEnv) {}

  /** Wraps a handler as a commander action; the last argument commander passes is the command itself. */
  action<A extends unknown[]>(handler: (cmd: Command, ...args: A) => Promise<number | void>) {
    return async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      this.format(cmd); // a --json / -o conflict is refused before anything is sent
      this.exitCode = (await handler(cmd, ...(args.slice(0, -1) as A))) ?? 0;
    };
  }

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  /** `-o FORMAT`; `--json` is `-o json` (kept for the scripts that use it); both disagreeing is a usage error. */
  format(cmd: Command): OutputFormat {
    const { json, output } = this.globals(cmd);
    if (json && output && output !== 'json') throw new UsageError(`--json and -o ${output} ask for different outputs; give one`);
    return json ? 'json' : (output ?? 'table');
  }

  /** A machine-readable format (json, yaml): the API's answer, no progress text. */
  json(cmd: Command): boolean {
    const f = this.format(cmd);
    return f === 'json' || f === 'yaml';
  }

  client(cmd: Command): ApiClient {
    const { api, token, ca } = this.target(cmd);
    if (ca) trustCa(ca);
    return new ApiClient(api, { signal: this.env.signal, fetch: this.env.fetch, ...(token ? { token } : {}) });
  }

  /**
   * Where to send requests and as whom: `--api` / `TY_API_URL` / the context's API; `TY_TOKEN`, else
   * the context's token — but only for the context's own API, so a token never goes to a server it
   * was not made for. The CA to trust for an https API: `TY_API_CA`, else the context's (same rule).
   */
  target(cmd: Command): { api: string; token?: string; ca?: string; context?: string } {
    const g = this.globals(cmd);
    const active = activeContext(readConfig(configPath(this.env.vars)), g.context, this.env.vars);
    const api = resolveApiUrl(g.api || this.env.vars.TY_API_URL || active?.context.api, this.env.vars);
    const own = active && resolveApiUrl(active.context.api, {}) === api ? active.context : undefined;
    const token = this.env.vars.TY_TOKEN || own?.token;
    const ca = this.env.vars.TY_API_CA || own?.ca;
    return { api, ...(token ? { token } : {}), ...(ca ? { ca } : {}), ...(active ? { context: active.name } : {}) };
  }

  /** `-o json|yaml`: the API's answer untouched; `wide`: the wide table where the command has one; else the table. */
  print(cmd: Command, data: unknown, table: () => string, wide?: () => string): void {
    this.env.stdout(renderOutput(this.format(cmd), data, { table, ...(wide ? { wide } : {}) }));
  }

  /** One item of a stream: a JSON line or a YAML document in those formats, else `human`. */
  printItem(cmd: Command, item: unknown, human: () => string): void {
    this.env.stdout(renderStreamItem(this.format(cmd), item) ?? human());
  }
}

/** `--api`, else `TY_API_URL`, else the local default. */
export function resolveApiUrl(flag: string | undefined, vars: Record<string, string | undefined>): string {
  const raw = flag || vars.TY_API_URL || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`API URL ${JSON.stringify(raw)} is not a URL (expected e.g. ${DEFAULT_API_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`API URL ${raw} must start with http:// or https://`);
  }
  return raw.replace(/\/+$/, '');
}
