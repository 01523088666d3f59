import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { checkStorableInput, ErrorCode, FieldCode, FieldErrors, TrainyardError } from '@trainyard/contracts';
import type { FastifyRequest } from 'fastify';

/** `Idempotency-Key`: a client token, 1–255 visible ASCII characters (hashed into ids, never stored). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The text rule and the shape bounds (`checkStorableInput`) on every input of every route, before any
 * handler runs: the JSON body (paths from its root), path and query parameters (by name) and the
 * `Idempotency-Key` header. Fastify's own prototype-key refusal is off (`api-server.ts`) because this
 * one names the offending path and also refuses `constructor` and `prototype` keys.
 */
@Injectable()
export class InputHygieneGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const e = new FieldErrors();
    checkStorableInput(req.params ?? {}, '', e);
    checkStorableInput(req.query ?? {}, '', e);
    if (req.body !== undefined) checkStorableInput(req.body, '', e);
    const key = req.headers['idempotency-key'];
    if (key !== undefined && !(typeof key === 'string' && IDEMPOTENCY_KEY.test(key))) {
      e.add('Idempotency-Key', FieldCode.InvalidFormat, 'Idempotency-Key must be 1–255 visible ASCII characters');
    }
    if (e.list.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'the request holds input that cannot be accepted', e.list);
    return true;
  }
}
