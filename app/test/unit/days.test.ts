import { addDays, isValidDay, monthRange, today, tomorrow, weekRange } from '../../src/shared/days';
import { escapeLikePattern } from '../../src/todos/search';

describe('todo dates', () => {
  it('formats the local day and the next one', () => {
    const now = new Date(2026, 11, 31, 23, 30);
    expect(today(now)).toBe('2026-12-31');
    expect(tomorrow(now)).toBe('2027-01-01');
  });

  it('adds days across months and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('accepts only real YYYY-MM-DD days', () => {
    expect(isValidDay('2024-02-29')).toBe(true);
    for (const value of ['2025-02-29', '2026-13-01', '2026-1-5', '2026-01-05T00:00', '', 'today', 20260105, null]) {
      expect(isValidDay(value)).toBe(false);
    }
  });

  it('gives the ISO week, Monday to Sunday, containing a day', () => {
    expect(weekRange('2026-11-25')).toEqual({ start: '2026-11-23', end: '2026-11-29' });
    expect(weekRange('2026-11-29')).toEqual({ start: '2026-11-23', end: '2026-11-29' });
    expect(weekRange('2026-11-23')).toEqual({ start: '2026-11-23', end: '2026-11-29' });
    expect(weekRange('2027-01-01')).toEqual({ start: '2026-12-28', end: '2027-01-03' });
  });

  it('gives the calendar month containing a day', () => {
    expect(monthRange('2024-02-10')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(monthRange('2026-12-31')).toEqual({ start: '2026-12-01', end: '2026-12-31' });
  });

  it('escapes LIKE wildcards and the escape character itself', () => {
    expect(escapeLikePattern('50%_off!')).toBe('50!%!_off!!');
  });
});
