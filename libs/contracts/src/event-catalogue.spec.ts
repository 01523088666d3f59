import { describe, expect, it } from 'vitest';
import { eventText } from './event-catalogue';
import { event } from './events';

const T0 = '2026-03-13T10:00:00.000Z';

describe('event catalogue - the guide\'s job events J03 and J05 (issue 14)', () => {
  it('J03 (L9938): a preparation that timed out reads as the guide writes it, in both languages', () => {
    expect(eventText(event('JobAbnormal', T0, { attempt: 1, reason: 'preparation-timeout', message: 'no task started within 60 min of the placement' }))).toEqual({
      en: 'Preparation stage timed out. Possible cause: cross-region algorithm synchronisation or shared-storage creation timed out',
      zh: '准备阶段超时。可能原因是跨区域算法同步或者创建共享存储超时',
      line: 9938,
    });
    // Any other abnormal end says its own reason.
    expect(eventText(event('JobAbnormal', T0, { attempt: 1, reason: 'node-lost' })).zh).toBe('训练作业异常：node-lost');
  });

  it('J05 (L9942): a re-queued job that found no room in time failed to queue; J08 stays for a run that failed', () => {
    const queued = eventText(event('JobFailed', T0, { attempt: 1, reason: 'requeue-timeout', message: 're-queued after preemption and no capacity freed within 30 min' }));
    expect(queued).toEqual({
      en: 'Training job queuing failed: re-queued after preemption and no capacity freed within 30 min',
      zh: '训练作业排队失败：re-queued after preemption and no capacity freed within 30 min',
      line: 9942,
    });
    expect(eventText(event('JobFailed', T0, { attempt: 1, reason: 'exit-code', exitCode: 1 }))).toMatchObject({ zh: '训练作业运行失败', line: 9947 });
  });
});
