import { type CommandPrincipal, decodePrincipal, ErrorCode, PRINCIPAL_HEADER, TrainyardError } from '@trainyard/contracts';

/**
 * Who a command acts for: the `Ty-Principal` header the API set (issue 11). On a locked bus
 * (`required`: the service runs with NATS credentials) only the API identity can publish commands,
 * so the header is the API's word — and a command without it was not sent by the API: refused
 * UNAUTHENTICATED, never read from the body. On an open bus (development, the tests' shared NATS)
 * the body's `caller` still stands in for it.
 */
export function commandPrincipal(ctx: { header(name: string): string | undefined } | undefined, required: boolean): CommandPrincipal | undefined {
  const principal = decodePrincipal(ctx?.header(PRINCIPAL_HEADER));
  if (!principal && required) {
    throw new TrainyardError(ErrorCode.Unauthenticated, `a command needs the ${PRINCIPAL_HEADER} header the API sets; this bus takes commands from the API identity only`);
  }
  return principal;
}
