import { Controller, Get } from '@nestjs/common';
import { OPENAPI_DOCUMENT } from './openapi.document';

@Controller()
export class OpenApiController {
  @Get('openapi.json')
  document() {
    return OPENAPI_DOCUMENT;
  }
}
