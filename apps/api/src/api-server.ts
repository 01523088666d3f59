import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule, type ApiDeps } from './api.module';
import { HeartbeatTracker } from '@trainyard/liveness';
import { INPUT_LIMITS } from '@trainyard/contracts';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP face (NestJS on Fastify) on `host:port` (port 0 picks a free one). */
export async function startApiServer(deps: ApiDeps, listen: { host: string; port: number }): Promise<ApiServer> {
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(deps), new FastifyAdapter({
    bodyLimit: INPUT_LIMITS.bodyBytes,
    // InputHygieneGuard refuses prototype keys (and more) with the offending path; Fastify's check
    // would refuse them too, but only as "not valid JSON".
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  }), {
    logger: ['error', 'warn'],
  });
  await app.listen(listen.port, listen.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : listen.port;
  return {
    url: `http://${listen.host}:${port}`,
    async close() {
      app.get(HeartbeatTracker).stop();
      await app.close();
    },
  };
}
