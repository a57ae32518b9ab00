import { isoWeek, tierPeriod } from '../../src/cli/backup/backupTiers';

describe('the tiers of backups in an object store', () => {
  it.each([
    ['2026-01-01', '2026-W01'],
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'],
    ['2020-12-31', '2020-W53'],
    ['2026-01-05', '2026-W02'],
    ['2026-02-01', '2026-W05'],
    ['2027-01-01', '2026-W53'],
  ])('puts %s in ISO week %s', (day, week) => {
    expect(isoWeek(new Date(`${day}T23:30:00Z`))).toBe(week);
  });

  it("reads a backup's period from the UTC time in its name, and none from another name", () => {
    const name = 'todobox_mysql_20260201-020000.sql.gz';
    expect(tierPeriod('daily', name)).toBe('2026-02-01');
    expect(tierPeriod('weekly', name)).toBe('2026-W05');
    expect(tierPeriod('monthly', name)).toBe('2026-02');
    expect(tierPeriod('weekly', 'notes.txt')).toBeUndefined();
  });
});
