import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put, Query } from '@nestjs/common';
import { CatalogueFlavorSchema, ErrorCode, FLAVOR_ID, SUBJECT_TOKEN, TrainyardError, wireErrors, type CatalogueFlavor } from '@trainyard/contracts';
import { ParamCheck } from '../system/query-params';
import { FLAVOR_CATALOGUE, type FlavorCatalogue } from './flavor-catalogue';

/** `/v1/flavors`: the operators' flavor catalogue, named flavors per pool (`yard flavors`). */
@Controller('v1/flavors')
export class FlavorsController {
  constructor(@Inject(FLAVOR_CATALOGUE) private readonly catalogue: FlavorCatalogue) {}

  @Get()
  async list(@Query() q: Record<string, string>) {
    const check = new ParamCheck();
    if (q.pool !== undefined) check.matches('pool', q.pool, SUBJECT_TOKEN, 'a pool name');
    check.done();
    return { items: await this.catalogue.list(q.pool) };
  }

  /** Defines or replaces `pool`/`id`; structure from the wire schema (cpu > 0, memory ≥ 1 MiB, counts ≥ 0). */
  @Put()
  @HttpCode(200)
  async put(@Body() body: unknown) {
    const errors = wireErrors(CatalogueFlavorSchema, body);
    if (errors.length) throw new TrainyardError(ErrorCode.ValidationFailed, `flavor has ${errors.length} error(s)`, errors);
    const flavor = body as CatalogueFlavor;
    return this.catalogue.put({ ...flavor, name: flavor.name ?? flavor.id });
  }

  @Delete(':pool/:flavorId')
  @HttpCode(204)
  async remove(@Param('pool') pool: string, @Param('flavorId') flavorId: string) {
    const check = new ParamCheck();
    check.matches('pool', pool, SUBJECT_TOKEN, 'a pool name');
    check.matches('flavorId', flavorId, FLAVOR_ID, 'a flavor id');
    check.done();
    if (!(await this.catalogue.remove(pool, flavorId))) throw new TrainyardError(ErrorCode.NotFound, `pool ${pool} has no flavor ${flavorId}`);
  }
}
