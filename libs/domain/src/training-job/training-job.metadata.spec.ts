import { ErrorCode, FieldCode, event, type JobEvent } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { fold } from '../decider';
import { DeciderSpec, T1, cmd, createdHistory, runningHistory } from '@trainyard/testing/domain';
import { JobRejection, trainingJobDecider, type UpdateJobMetadata } from './training-job.decide';

const spec = DeciderSpec.for(trainingJobDecider);
const update = (changes: unknown) => cmd<UpdateJobMetadata>('UpdateJobMetadata', { changes, by: 'user:ada' });

describe('training job - description, tags and experiment after creation', () => {
  it('changes them in any live state, and evolve puts them into the spec', () => {
    for (const history of [createdHistory(), runningHistory()]) {
      const s = spec
        .given(history)
        .when(update({ description: '第二次', tags: [{ key: 'team', value: 'vision' }], experiment: 'lr-sweep' }))
        .then([event('JobMetadataUpdated', T1, { by: 'user:ada', description: '第二次', tags: [{ key: 'team', value: 'vision' }], experiment: 'lr-sweep' })]);
      expect(s.status !== 'none' && s.spec.metadata).toMatchObject({ description: '第二次', tags: [{ key: 'team', value: 'vision' }], experiment: 'lr-sweep' });
    }
  });

  it('records only what changes; the same values are no event', () => {
    const history: JobEvent[] = [...createdHistory(), event('JobMetadataUpdated', T1, { by: 'u', tags: [{ key: 'a', value: '1' }], experiment: 'e1' })];
    spec.given(history).when(update({ tags: [{ key: 'a', value: '1' }], experiment: 'e1' })).thenNothing();
    spec.given(history).when(update({ tags: [], experiment: 'e1' })).then([event('JobMetadataUpdated', T1, { by: 'user:ada', tags: [] })]);
  });

  it('leaving an experiment removes it from the spec', () => {
    const history: JobEvent[] = [...createdHistory(), event('JobMetadataUpdated', T1, { by: 'u', experiment: 'e1' })];
    const events = spec.given(history).when(update({ experiment: null })).thenEvents();
    expect(events).toEqual([event('JobMetadataUpdated', T1, { by: 'user:ada', experiment: null })]);
    const s = fold(trainingJobDecider, [...history, ...events]);
    expect(s.status !== 'none' && 'experiment' in s.spec.metadata).toBe(false);
  });

  it('refuses what creation refuses, naming the guide rule (V2, V22), and unknown fields', () => {
    const errors = (changes: unknown) => {
      const d = trainingJobDecider.decide(update(changes), fold(trainingJobDecider, createdHistory()));
      expect(d.ok).toBe(false);
      return !d.ok ? d.rejection : undefined;
    };
    expect(errors({ description: 'a <b>' })).toMatchObject({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidUpdate, details: [{ path: 'description', code: FieldCode.InvalidFormat, rule: 'V2' }] });
    expect(errors({ tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })?.details).toEqual([expect.objectContaining({ path: 'tags[1].key', code: FieldCode.Duplicate, rule: 'V22' })]);
    expect(errors({ name: 'renamed' })?.details).toEqual([expect.objectContaining({ path: 'name', code: FieldCode.Unknown })]);
    expect(errors({})?.details?.[0].code).toBe(FieldCode.Required);
  });

  it('a job that does not exist is not found', () => {
    spec.given([]).when(update({ description: 'x' })).then({ code: ErrorCode.NotFound });
  });
});
