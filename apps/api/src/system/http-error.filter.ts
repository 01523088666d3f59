import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCode, FieldCode, INPUT_LIMITS, toErrorBody, TrainyardError, v2ErrorCode, type ErrorBody, type V2Error } from '@trainyard/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.IllegalState]: 409,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.StreamMissing]: 503,
  [ErrorCode.Internal]: 500,
};

/**
 * One filter maps every error to `{ error: { code, message, details? } }` with a fitting status; on the
 * vendor-compatible `/v2` surface to the reference's `{ error_code, error_msg }` (`error_code` is
 * `TY.<code>`, stable; `error_details` the same field list).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toHttp(err);
    if (status >= 500) this.log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    if (reply.sent) return;
    const url = host.switchToHttp().getRequest<FastifyRequest>()?.url ?? '';
    void reply.status(status).send(url.startsWith('/v2/') ? toV2Error(body) : { error: body });
  }
}

/** Refusals of a request before any handler runs (Fastify's body parsing, Nest's routing): by status. */
const BY_STATUS: Record<number, { code: ErrorCode; field: FieldCode; message?: string }> = {
  413: { code: ErrorCode.PayloadTooLarge, field: FieldCode.TooLong, message: `the request body is larger than ${INPUT_LIMITS.bodyBytes} bytes` },
  415: { code: ErrorCode.UnsupportedMediaType, field: FieldCode.InvalidType, message: 'the request body must be application/json' },
};

/** The reference's error body for one of ours. */
export function toV2Error(body: ErrorBody): V2Error {
  return { error_code: v2ErrorCode(body.code), error_msg: body.message, ...(body.details?.length ? { error_details: body.details } : {}) };
}

export function toHttp(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof TrainyardError) return { status: STATUS[err.code] ?? 500, body: err.toBody() };
  // Nest's HttpExceptions and Fastify's own errors (e.g. a body that is not JSON) carry a 4xx status.
  const status = err instanceof HttpException ? err.getStatus() : (err as { statusCode?: number })?.statusCode;
  if (status && status < 500) {
    if (status === 404) return { status, body: { code: ErrorCode.NotFound, message: (err as Error).message } };
    const known = BY_STATUS[status];
    const message = known?.message ?? (err as Error).message;
    // They concern the request as a whole: the path of the whole body is ''.
    return { status, body: { code: known?.code ?? ErrorCode.ValidationFailed, message, details: [{ path: '', code: known?.field ?? FieldCode.InvalidFormat, message }] } };
  }
  // Infrastructure errors that carry a stable code (the event log's UNAVAILABLE, STREAM_MISSING).
  const body = toErrorBody(err);
  if (body.code !== ErrorCode.Internal) return { status: STATUS[body.code] ?? 500, body };
  return { status: 500, body: { code: ErrorCode.Internal, message: 'internal error' } };
}
