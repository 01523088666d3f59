import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { type CommandReply, type ErrorBody, ErrorCode, toErrorBody } from '@trainyard/contracts';
import { type Observable, of, throwError } from 'rxjs';
import { CommandContext } from './contexts';

/**
 * The one mapping from an error to the bus's stable codes: a `TrainyardError` (domain rejections,
 * validation, the event log's CONFLICT/UNAVAILABLE/STREAM_MISSING) keeps its code and details; an
 * `RpcException` carrying an `ErrorBody` is that body; anything else is INTERNAL with its message.
 */
export function toRpcException(err: unknown): RpcException {
  if (err instanceof RpcException) {
    const e = err.getError();
    if (isErrorBody(e)) return err;
    return new RpcException({ code: ErrorCode.Internal, message: typeof e === 'string' ? e : err.message } satisfies ErrorBody);
  }
  return new RpcException(toErrorBody(err));
}

/**
 * Turns whatever a command handler threw into the reply envelope `{ ok: false, error }`; registered
 * globally by each service (`useGlobalFilters`). A commit handler's error is rethrown untouched: the
 * transport must see it to leave the commit unacked (and a quarantine's `retryAfterMs` survives).
 */
@Catch()
export class CommandReplyFilter implements RpcExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): Observable<CommandReply> {
    if (!(host.switchToRpc().getContext() instanceof CommandContext)) return throwError(() => exception);
    return of({ ok: false, error: toRpcException(exception).getError() as ErrorBody });
  }
}

function isErrorBody(e: unknown): e is ErrorBody {
  return typeof e === 'object' && e !== null && typeof (e as ErrorBody).code === 'string' && typeof (e as ErrorBody).message === 'string';
}
