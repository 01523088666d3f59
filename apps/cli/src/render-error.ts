import { ApiError, ApiProtocolError, ApiUnreachableError } from './api-errors';
import { CliError, ExitCode } from './cli-error';

export interface RenderedError {
  /** What goes to stderr, newline-terminated. */
  text: string;
  exitCode: number;
}

/**
 * Turns any failure into the CLI's error text: `error CODE: message`, then one indented line per field
 * detail, so a rejected spec shows every offending field at once.
 */
export function renderError(err: unknown): RenderedError {
  if (err instanceof ApiError) {
    const details = err.details.map((d) => `  ${d.path}: ${d.message} (${d.code})${d.rule ? ` [${d.rule}]` : ''}\n`);
    return { text: `error ${err.code}: ${err.message}\n${details.join('')}`, exitCode: ExitCode.Error };
  }
  if (err instanceof ApiUnreachableError) return { text: renderUnreachable(err), exitCode: ExitCode.Error };
  if (err instanceof ApiProtocolError) return { text: `error BAD_RESPONSE: ${err.message}\n`, exitCode: ExitCode.Error };
  if (err instanceof CliError) return { text: `error ${err.code}: ${err.message}\n`, exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { text: `error INTERNAL: ${message}\n`, exitCode: ExitCode.Error };
}

function renderUnreachable(err: ApiUnreachableError): string {
  const head = `error UNREACHABLE: cannot reach the Trainyard API at ${err.url} (${err.detail})\n`;
  if (err.reason === 'timeout') return head;
  return (
    head +
    '  Is the API running? `npm start` starts a local cluster (API on http://127.0.0.1:8080);\n' +
    '  point the CLI elsewhere with --api URL or TY_API_URL.\n'
  );
}
