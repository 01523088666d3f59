import { describe, expect, it } from 'vitest';
import { isLiteralSubject, subjectMatches } from './subject-filter';

describe('subjectMatches', () => {
  it.each([
    ['ty.ev.>', 'ty.ev.job.j1', true],
    ['ty.ev.>', 'ty.ev', false],
    ['ty.ev.job.*', 'ty.ev.job.j1', true],
    ['ty.ev.job.*', 'ty.ev.job.j1.x', false],
    ['ty.ev.job.*', 'ty.ev.job', false],
    ['ty.ev.*.j1', 'ty.ev.node.j1', true],
    ['ty.ev.job.j1', 'ty.ev.job.j1', true],
    ['ty.ev.job.j1', 'ty.ev.job.j10', false],
  ])('subject filter - %s against %s is %s', (filter, subject, expected) => {
    expect(subjectMatches(filter, subject)).toBe(expected);
  });

  it('subject filter - literal subjects have no wildcard or empty tokens', () => {
    expect(isLiteralSubject('ty.ev.job.j1')).toBe(true);
    for (const s of ['', 'ty.ev.*', 'ty.ev.>', 'ty..ev', 'ty.ev.job. x', 'ty.ev.job.']) expect(isLiteralSubject(s)).toBe(false);
  });
});
