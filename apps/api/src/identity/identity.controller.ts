import { Controller, Get, Inject } from '@nestjs/common';
import { API_OPTIONS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import { CONSOLE_OPTIONS, type ConsoleOptions } from '../console/console-options';
import { localPrincipal } from './local-principal';

/** Who the caller is and how one signs in: what the web console asks first. */
@Controller('v1')
export class IdentityController {
  constructor(
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(CONSOLE_OPTIONS) private readonly console: ConsoleOptions,
  ) {}

  /** `{ id, roles, permissions, projects }` of the caller (today the one local principal). */
  @Get('me')
  me() {
    return localPrincipal(this.options.caller);
  }

  /** How to sign in: always with a token; with an OIDC issuer too when one is configured. Needs no token. */
  @Get('auth/config')
  authConfig() {
    const oidc = this.console.oidc;
    return { token: true, oidc: oidc ? { issuer: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope ?? 'openid profile' } : null };
  }
}
