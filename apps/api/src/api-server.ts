import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule, type ApiDeps } from './api.module';
import { HeartbeatTracker } from '@trainyard/liveness';
import { INPUT_LIMITS } from '@trainyard/contracts';
import { IDENTITY } from './auth/auth.tokens';
import type { IdentityDirectory } from './auth/identity-directory';
import { SUBSCRIPTIONS } from './notifications/notification.tokens';
import type { SubscriptionDirectory } from './notifications/subscription-directory';
import type { SearchDirectory } from './searches/search-directory';
import { SEARCHES } from './searches/search.tokens';
import { type ApiTls, readApiTls } from './api-tls';

export interface ApiServer {
  url: string;
  /** Every route it serves, as `METHOD /pattern` (the authorization matrix test walks them). */
  routes: string[];
  close(): Promise<void>;
}

/** Where the API listens: `host:port` (port 0 picks a free one), HTTPS only when `tls` is given. */
export interface ApiListen {
  host: string;
  port: number;
  tls?: ApiTls;
}

/** Starts the HTTP face (NestJS on Fastify). */
export async function startApiServer(deps: ApiDeps, listen: ApiListen): Promise<ApiServer> {
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(deps), new FastifyAdapter({
    ...(listen.tls ? { https: readApiTls(listen.tls) } : {}),
    bodyLimit: INPUT_LIMITS.bodyBytes,
    // InputHygieneGuard refuses prototype keys (and more) with the offending path; Fastify's check
    // would refuse them too, but only as "not valid JSON".
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  }), {
    logger: ['error', 'warn'],
  });
  const routes: string[] = [];
  app.getHttpAdapter().getInstance().addHook('onRoute', (r: { method: string | string[]; url: string }) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD' && m !== 'OPTIONS') routes.push(`${m} ${r.url}`);
  });
  await app.listen(listen.port, listen.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return {
    url: `${listen.tls ? 'https' : 'http'}://${listen.host}:${port}`,
    routes,
    async close() {
      app.get(HeartbeatTracker).stop();
      await app.close();
      await app.get<IdentityDirectory>(IDENTITY).stop();
      await app.get<SubscriptionDirectory>(SUBSCRIPTIONS).stop();
      await app.get<SearchDirectory>(SEARCHES).stop();
    },
  };
}
