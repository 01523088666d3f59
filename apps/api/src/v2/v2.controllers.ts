import { V2CatalogueController } from './v2-catalogue.controller';
import { V2LogsController } from './v2-logs.controller';
import { V2TrainingJobsController } from './v2-training-jobs.controller';

/** The vendor-compatible v2 surface (issue 18), registered by the API module in one line. */
export const V2_CONTROLLERS = [V2TrainingJobsController, V2LogsController, V2CatalogueController];
