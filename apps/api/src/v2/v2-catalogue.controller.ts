import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { PRESET_ENGINES, flavorDetail, type CatalogueFlavor } from '@trainyard/contracts';
import { FLAVOR_CATALOGUE, type FlavorCatalogue } from '../flavors/flavor-catalogue';
import { ParamCheck } from '../system/query-params';
import { checkProject } from './v2-project';

const FLAVOR_TYPES = ['CPU', 'GPU', 'Ascend'] as const;

/** ShowTrainingJobFlavors and ShowTrainingJobEngines: the flavor catalogue and the preset engines, in v2 shape. */
@Controller('v2/:project_id')
export class V2CatalogueController {
  constructor(@Inject(FLAVOR_CATALOGUE) private readonly catalogue: FlavorCatalogue) {}

  @Get('training-job-flavors')
  async flavors(@Param('project_id') project: string, @Query() q: Record<string, string>) {
    checkProject(project);
    const check = new ParamCheck();
    const type = check.oneOf('flavor_type', q.flavor_type, FLAVOR_TYPES);
    check.done();
    const flavors = (await this.catalogue.list()).map(toV2Flavor).filter((f) => !type || f.flavor_type === type);
    return { total_count: flavors.length, flavors };
  }

  @Get('training-job-engines')
  engines(@Param('project_id') project: string) {
    checkProject(project);
    const items = PRESET_ENGINES.map((e) => ({
      engine_id: e.id,
      engine_name: e.name,
      engine_version: e.version,
      v1_compatible: false,
      run_user: '1000',
      image_info: { cpu_image_url: '', gpu_image_url: '', image_version: '' },
    }));
    return { total: items.length, items };
  }
}

/** A catalogue entry in the reference's FlavorResponse shape (no billing here: code and units are empty). */
function toV2Flavor(f: CatalogueFlavor) {
  const detail = flavorDetail(f.flavor) as { flavor_type: (typeof FLAVOR_TYPES)[number]; flavor_info: Record<string, unknown> };
  const max = f.maxNodeCount ?? 4096;
  return {
    flavor_id: f.id,
    flavor_name: f.name ?? f.id,
    max_num: max,
    flavor_type: detail.flavor_type,
    billing: { code: '', unit_num: 0 },
    flavor_info: { max_num: max, ...detail.flavor_info },
    attributes: { pool: f.pool },
  };
}
