import type { Capacity, TrainingJobSpec } from '@trainyard/contracts';
import type { Insertable, Selectable } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import type { JobsTable, JobEventsTable, NodesTable } from './database';
import type { JobView, NodeView } from './index';
import type { JobState } from './states';

// Checked by `tsc` (the typecheck covers specs); at run time these are no-ops.
describe('Database types', () => {
  it('Database - jsonb columns read as objects and are written as JSON text', () => {
    expectTypeOf<Selectable<JobsTable>['spec']>().toEqualTypeOf<TrainingJobSpec>();
    expectTypeOf<Insertable<JobsTable>['spec']>().toEqualTypeOf<string>();
    expectTypeOf<Selectable<NodesTable>['capacity']>().toEqualTypeOf<Capacity>();
    expectTypeOf<Insertable<JobEventsTable>['data']>().toEqualTypeOf<string>();
  });

  it('Database - timestamps read as Date and are written as Date or ISO text; views carry ISO strings', () => {
    expectTypeOf<Selectable<JobsTable>['created_at']>().toEqualTypeOf<Date>();
    expectTypeOf<Insertable<JobsTable>['created_at']>().toEqualTypeOf<Date | string>();
    expectTypeOf<JobView['createdAt']>().toEqualTypeOf<string>();
    expectTypeOf<NodeView['registeredAt']>().toEqualTypeOf<string>();
  });

  it('Database - job states are the domain statuses without none', () => {
    expectTypeOf<JobState>().toEqualTypeOf<
      'creating' | 'waiting' | 'running' | 'terminating' | 'terminated' | 'completed' | 'failed' | 'abnormal' | 'deleting' | 'deleted'
    >();
  });
});
