import { describe, expect, it } from 'vitest';
import { parseCron } from './cron.js';

const every = (from: number, to: number, step = 1): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, index) => from + index * step);

describe('parseCron (the test-side validator for PingSource schedules)', () => {
  it.each([
    { expression: '*/5 * * * *', minutes: every(0, 55, 5), hours: every(0, 23) },
    { expression: '0 0 * * *', minutes: [0], hours: [0] },
    { expression: ' 0,30  9-17 * * * ', minutes: [0, 30], hours: every(9, 17) },
    { expression: '0-30/10 */6 * * *', minutes: [0, 10, 20, 30], hours: [0, 6, 12, 18] },
  ])('accepts "$expression"', ({ expression, minutes, hours }) => {
    const result = parseCron(expression);
    expect(result).toMatchObject({ ok: true, schedule: { minutes, hours } });
  });

  it('reads month and weekday names, and 7 as Sunday', () => {
    expect(parseCron('15 3 1 jan MON-fri')).toEqual({
      ok: true,
      schedule: { minutes: [15], hours: [3], daysOfMonth: [1], months: [1], daysOfWeek: [1, 2, 3, 4, 5] },
    });
    expect(parseCron('0 0 * DEC 7')).toMatchObject({ ok: true, schedule: { months: [12], daysOfWeek: [0] } });
  });

  it.each([
    { expression: '', error: 'expected 5 fields, got 0' },
    { expression: '* * * *', error: 'expected 5 fields, got 4' },
    { expression: '* * * * * *', error: 'expected 5 fields, got 6' },
    { expression: '@hourly', error: 'expected 5 fields, got 1' },
    { expression: '60 * * * *', error: 'minute: "60" is not a value in 0-59' },
    { expression: '* 24 * * *', error: 'hour: "24" is not a value in 0-23' },
    { expression: '* * 0 * *', error: 'day of month: "0" is not a value in 1-31' },
    { expression: '* * * 13 *', error: 'month: "13" is not a value in 1-12' },
    { expression: '* * * * 8', error: 'day of week: "8" is not a value in 0-7' },
    { expression: '*/0 * * * *', error: 'minute: "*/0" has a step that is not a positive number' },
    { expression: '*/5/2 * * * *', error: 'minute: "*/5/2" has more than one step' },
    { expression: '5-1 * * * *', error: 'minute: "5-1" is a range that runs backwards' },
    { expression: '1-2-3 * * * *', error: 'minute: "1-2-3" is not a range a-b' },
    { expression: '5/10 * * * *', error: 'minute: "5/10" has a step on a single value' },
    { expression: ',5 * * * *', error: 'minute: "" is not a value in 0-59' },
    { expression: 'a * * * *', error: 'minute: "a" is not a value in 0-59' },
    { expression: '* * * * funday', error: 'day of week: "funday" is not a value in 0-7' },
  ])('rejects "$expression"', ({ expression, error }) => {
    expect(parseCron(expression)).toEqual({ ok: false, error });
  });
});
