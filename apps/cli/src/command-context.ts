import type { Command } from 'commander';
import { ApiClient, DEFAULT_API_URL } from './api-client';
import type { CliEnv } from './cli-env';
import { UsageError } from './cli-error';

/** Options every command accepts (declared once on the program, read through `optsWithGlobals`). */
export interface GlobalOptions {
  api?: string;
  json?: boolean;
}

/**
 * What a command handler needs: the environment, an API client for the `--api` in effect, and the
 * `--json` switch. Handlers return their exit code.
 */
export class CommandContext {
  exitCode = 0;

  constructor(readonly env: CliEnv) {}

  /** Wraps a handler as a commander action; the last argument commander passes is the command itself. */
  action<A extends unknown[]>(handler: (cmd: Command, ...args: A) => Promise<number | void>) {
    return async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      this.exitCode = (await handler(cmd, ...(args.slice(0, -1) as A))) ?? 0;
    };
  }

  globals(cmd: Command): GlobalOptions {
    return cmd.optsWithGlobals<GlobalOptions>();
  }

  json(cmd: Command): boolean {
    return this.globals(cmd).json === true;
  }

  client(cmd: Command): ApiClient {
    return new ApiClient(resolveApiUrl(this.globals(cmd).api, this.env.vars), { signal: this.env.signal, fetch: this.env.fetch });
  }

  /** `--json`: the API's JSON untouched; otherwise the human rendering. */
  print(cmd: Command, data: unknown, human: () => string): void {
    this.env.stdout(this.json(cmd) ? `${JSON.stringify(data, null, 2)}\n` : human());
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
