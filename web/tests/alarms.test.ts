import { describe, expect, it } from 'vitest';
import { alarmPlace, alarmTitle, compareAlarms, countByPriority, neighbourAlarm, sortAlarms } from '../src/alarms';
import { alarm } from './fixtures';

describe('queue order', () => {
  it('is priority first, then oldest first, then id', () => {
    const list = [
      alarm(1, { priority: 'low', t_raised: 10 }),
      alarm(2, { priority: 'high', t_raised: 30 }),
      alarm(3, { priority: 'medium', t_raised: 5 }),
      alarm(4, { priority: 'high', t_raised: 20 }),
      alarm(6, { priority: 'high', t_raised: 20 }),
      alarm(5, { priority: 'high', t_raised: 20 }),
    ];
    expect(sortAlarms(list).map((a) => a.id)).toEqual([4, 5, 6, 2, 3, 1]);
  });

  it('puts an unknown priority last', () => {
    const odd = alarm(9, { priority: 'urgent' as never, t_raised: 0 });
    expect(sortAlarms([odd, alarm(1, { priority: 'low' })]).map((a) => a.id)).toEqual([1, 9]);
  });

  it('is a total order (antisymmetric)', () => {
    const a = alarm(1, { t_raised: 5 });
    const b = alarm(2, { t_raised: 5 });
    expect(Math.sign(compareAlarms(a, b))).toBe(-Math.sign(compareAlarms(b, a)));
    expect(compareAlarms(a, a)).toBe(0);
  });

  it('does not change its input', () => {
    const list = [alarm(2, { priority: 'low' }), alarm(1)];
    sortAlarms(list);
    expect(list.map((a) => a.id)).toEqual([2, 1]);
  });
});

describe('describing an alarm', () => {
  it('names a fence segment, a zone, or coordinates', () => {
    expect(alarmPlace(alarm(1))).toBe('perimeter segment 7');
    expect(alarmPlace(alarm(1, { fence: null, segment: null, zone: 'switchyard' }))).toBe('zone switchyard');
    expect(alarmPlace(alarm(1, { fence: null, segment: null, east: 12.4, north: -200.6 }))).toBe('12 E, -201 N');
    expect(alarmTitle(alarm(1))).toBe('fence crossing — perimeter segment 7');
  });
});

describe('keyboard navigation', () => {
  const sorted = [alarm(1), alarm(2), alarm(3)];
  it('steps and wraps', () => {
    expect(neighbourAlarm(sorted, null, 1)?.id).toBe(1);
    expect(neighbourAlarm(sorted, null, -1)?.id).toBe(3);
    expect(neighbourAlarm(sorted, 1, 1)?.id).toBe(2);
    expect(neighbourAlarm(sorted, 3, 1)?.id).toBe(1);
    expect(neighbourAlarm(sorted, 1, -1)?.id).toBe(3);
    expect(neighbourAlarm(sorted, 42, 1)?.id).toBe(1);
    expect(neighbourAlarm([], 1, 1)).toBeNull();
  });
});

describe('counts', () => {
  it('counts by priority', () => {
    expect(countByPriority([alarm(1), alarm(2, { priority: 'low' }), alarm(3)])).toEqual({ high: 2, medium: 0, low: 1 });
  });
});
