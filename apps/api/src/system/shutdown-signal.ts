import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Aborted when the API shuts down, before its HTTP server closes: long-lived responses (server-sent
 * event streams) end on it, or every open console tab would keep the server from closing.
 */
@Injectable()
export class ShutdownSignal implements OnModuleDestroy {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;

  onModuleDestroy(): void {
    this.controller.abort();
  }
}
