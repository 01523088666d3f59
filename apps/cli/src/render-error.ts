import type { FieldError } from '@trainyard/contracts';
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
  if (err instanceof ApiError) return { text: `error ${err.code}: ${err.message}\n${renderDetails(err.details)}`, exitCode: ExitCode.Error };
  if (err instanceof ApiUnreachableError) return { text: renderUnreachable(err), exitCode: ExitCode.Error };
  if (err instanceof ApiProtocolError) return { text: `error BAD_RESPONSE: ${err.message}\n`, exitCode: ExitCode.Error };
  if (err instanceof CliError) return { text: `error ${err.code}: ${err.message}\n${renderDetails(err.details)}`, exitCode: err.exitCode };
  const message = err instanceof Error ? err.message : String(err);
  return { text: `error INTERNAL: ${message}\n`, exitCode: ExitCode.Error };
}

/** One indented line per offending field: `  spec.priority: … (OUT_OF_RANGE) [V15]`. */
function renderDetails(details: readonly FieldError[]): string {
  return details.map((d) => `  ${d.path}: ${d.message} (${d.code})${d.rule ? ` [${d.rule}]` : ''}\n`).join('');
}

function renderUnreachable(err: ApiUnreachableError): string {
  const head = `error UNREACHABLE: cannot reach the Trainyard API at ${err.url} (${err.detail})\n`;
  if (err.reason === 'timeout') return head;
  if (err.reason === 'untrusted') {
    return `error TLS_UNTRUSTED: the Trainyard API at ${err.url} shows a certificate this CLI does not trust (${err.detail})\n` +
      '  give the CA that signed it: yard login --ca FILE (kept in the context), or TY_API_CA=FILE.\n';
  }
  return (
    head +
    '  Is the API running? `npm start` starts a local cluster (API on http://127.0.0.1:8080);\n' +
    '  point the CLI elsewhere with --api URL or TY_API_URL.\n'
  );
}
