import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule, type ApiDeps } from './api.module';
import { HeartbeatTracker } from '@trainyard/liveness';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP face (NestJS on Fastify) on `host:port` (port 0 picks a free one). */
export async function startApiServer(deps: ApiDeps, listen: { host: string; port: number }): Promise<ApiServer> {
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(deps), new FastifyAdapter({ bodyLimit: 4 * 1024 * 1024 }), {
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
