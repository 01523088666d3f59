import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ErrorCode, TrainyardError } from '@trainyard/contracts';
import type { FastifyReply } from 'fastify';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { CONSOLE_OPTIONS, type ConsoleOptions } from './console-options';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
/** Built asset names (Vite's `name-hash.ext`): no path separators, no dot files, so nothing outside `assets/`. */
const ASSET = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

/**
 * The web console (apps/console, built by `npm run build` into `dist/console`): `index.html` at `/`
 * and its hashed assets under `/assets/`. Everything is bundled, so the page may load nothing but its
 * own origin — and, with OIDC configured, talk to the issuer for the sign-in.
 */
@Controller()
export class ConsoleController {
  constructor(@Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions) {}

  @Get()
  async index(@Res() reply: FastifyReply) {
    const html = await this.read('index.html');
    return this.secure(reply).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }

  @Get('assets/:file')
  async asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    const type = TYPES[extname(file)];
    if (!ASSET.test(file) || !type) throw new TrainyardError(ErrorCode.NotFound, `no console asset ${file}`);
    const body = await this.read(join('assets', file));
    // Names carry a content hash: a new build is a new name.
    return this.secure(reply).header('content-type', type).header('cache-control', 'public, max-age=31536000, immutable').send(body);
  }

  private async read(path: string): Promise<Buffer> {
    if (!this.options.dir) throw new TrainyardError(ErrorCode.NotFound, 'the console is not built: run npm run build');
    try {
      return await readFile(join(this.options.dir, path));
    } catch {
      throw new TrainyardError(ErrorCode.NotFound, `no console file ${path}`);
    }
  }

  private secure(reply: FastifyReply): FastifyReply {
    const issuer = this.options.oidc ? new URL(this.options.oidc.issuer).origin : '';
    return reply
      .header(
        'content-security-policy',
        `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'${issuer ? ` ${issuer}` : ''}; ` +
          `form-action 'self'${issuer ? ` ${issuer}` : ''}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
  }
}
