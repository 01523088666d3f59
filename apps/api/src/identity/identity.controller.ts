import { Controller, Get, Inject } from '@nestjs/common';
import { Auth, type RequestAuth } from '../auth/request-auth';
import { CONSOLE_OPTIONS, type ConsoleOptions } from '../console/console-options';

/** Who the caller is and how one signs in: what the web console asks first. */
@Controller('v1')
export class IdentityController {
  constructor(@Inject(CONSOLE_OPTIONS) private readonly console: ConsoleOptions) {}

  /** `{ id, roles, permissions, projects, tokenId?, groups? }` of the caller, from its token and the role bindings. */
  @Get('me')
  me(@Auth() auth: RequestAuth) {
    return auth.principal;
  }

  /** How to sign in: always with a token; with an OIDC issuer too when one is configured. Needs no token. */
  @Get('auth/config')
  authConfig() {
    const oidc = this.console.oidc;
    return { token: true, oidc: oidc ? { issuer: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope ?? 'openid profile' } : null };
  }
}
