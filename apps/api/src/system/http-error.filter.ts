import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorCode, TrainyardError, type ErrorBody } from '@trainyard/contracts';
import type { FastifyReply } from 'fastify';

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.IllegalState]: 409,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
};

/** One filter maps every error to `{ error: { code, message, details? } }` with a fitting status. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('http');

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toHttp(err);
    if (status >= 500) this.log.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    if (reply.sent) return;
    void reply.status(status).send({ error: body });
  }
}

export function toHttp(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof TrainyardError) return { status: STATUS[err.code] ?? 500, body: err.toBody() };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = status === 404 ? ErrorCode.NotFound : status < 500 ? ErrorCode.ValidationFailed : ErrorCode.Internal;
    return { status, body: { code, message: err.message } };
  }
  // Fastify's own errors (e.g. a body that is not JSON) carry a 4xx statusCode.
  const fastifyStatus = (err as { statusCode?: number })?.statusCode;
  if (fastifyStatus && fastifyStatus < 500) {
    return { status: fastifyStatus, body: { code: ErrorCode.ValidationFailed, message: (err as Error).message } };
  }
  return { status: 500, body: { code: ErrorCode.Internal, message: 'internal error' } };
}
