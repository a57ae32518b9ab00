import { checkTimeZone, RetentionCandidate, RetentionPolicy, selectRetention } from '../../src/cli/backup/retention';

const none: RetentionPolicy = { daily: 0, weekly: 0, monthly: 0, newest: 0, timeZone: 'UTC' };

function backup(iso: string, complete = true): RetentionCandidate {
  return { name: `todobox_sqlite_${iso}`, takenAt: new Date(iso), complete };
}

function kept(candidates: RetentionCandidate[], policy: Partial<RetentionPolicy>, now: string): string[] {
  return selectRetention(candidates, { ...none, ...policy }, new Date(now))
    .filter((decision) => decision.keep)
    .map((decision) => decision.candidate.takenAt.toISOString());
}

describe('selectRetention', () => {
  it('keeps the newest backup of each of the last N days and prunes the rest', () => {
    const backups = ['2026-11-28T02:00:00Z', '2026-11-29T02:00:00Z', '2026-11-30T02:00:00Z', '2026-12-01T02:00:00Z'].map((iso) => backup(iso));
    expect(kept(backups, { daily: 2 }, '2026-12-01T03:00:00Z')).toEqual(['2026-12-01T02:00:00.000Z', '2026-11-30T02:00:00.000Z']);
  });

  it('keeps only the newest of several backups on one day', () => {
    const backups = ['2026-12-01T02:00:00Z', '2026-12-01T14:00:00Z', '2026-12-01T20:00:00Z'].map((iso) => backup(iso));
    const decisions = selectRetention(backups, { ...none, daily: 7 }, new Date('2026-12-01T21:00:00Z'));
    expect(decisions.map((d) => [d.candidate.takenAt.toISOString(), d.keep])).toEqual([
      ['2026-12-01T20:00:00.000Z', true],
      ['2026-12-01T14:00:00.000Z', false],
      ['2026-12-01T02:00:00.000Z', false],
    ]);
    expect(decisions[0].reasons).toEqual(['newest complete backup', 'daily 2026-12-01']);
  });

  it('does not let an older backup make up for a missing day', () => {
    const backups = ['2026-11-27T02:00:00Z', '2026-11-29T02:00:00Z', '2026-12-01T02:00:00Z'].map((iso) => backup(iso));
    // The last 3 days are 29 Nov to 1 Dec; 30 Nov has no backup, and 27 Nov stays outside.
    expect(kept(backups, { daily: 3 }, '2026-12-01T03:00:00Z')).toEqual(['2026-12-01T02:00:00.000Z', '2026-11-29T02:00:00.000Z']);
  });

  it('splits weeks on ISO Mondays, across a year boundary', () => {
    // 2026-12-28 is the Monday of 2026-W53; 2027-01-04 the Monday of 2027-W01.
    const backups = ['2026-12-20T02:00:00Z', '2026-12-27T23:59:59Z', '2026-12-28T00:00:00Z', '2027-01-03T02:00:00Z', '2027-01-04T02:00:00Z'].map((iso) =>
      backup(iso),
    );
    const decisions = selectRetention(backups, { ...none, weekly: 3 }, new Date('2027-01-05T00:00:00Z'));
    const reasons = Object.fromEntries(decisions.map((d) => [d.candidate.takenAt.toISOString(), d.reasons]));
    expect(reasons).toEqual({
      '2027-01-04T02:00:00.000Z': ['newest complete backup', 'weekly 2027-W01'],
      '2027-01-03T02:00:00.000Z': ['weekly 2026-W53'],
      '2026-12-28T00:00:00.000Z': [],
      '2026-12-27T23:59:59.000Z': ['weekly 2026-W52'],
      '2026-12-20T02:00:00.000Z': [],
    });
  });

  it('keeps the last backup of each month, whatever the month length', () => {
    const backups = ['2026-01-31T23:00:00Z', '2026-02-28T23:00:00Z', '2026-03-01T00:30:00Z', '2026-03-31T02:00:00Z', '2026-04-30T02:00:00Z'].map((iso) =>
      backup(iso),
    );
    expect(kept(backups, { monthly: 3 }, '2026-04-30T03:00:00Z')).toEqual([
      '2026-04-30T02:00:00.000Z',
      '2026-03-31T02:00:00.000Z',
      '2026-02-28T23:00:00.000Z',
    ]);
  });

  it('counts days in the time zone it is given', () => {
    // 23:30 UTC on 30 Nov is already 1 Dec in Berlin (UTC+1), so both fall on one Berlin day.
    const backups = ['2026-11-30T23:30:00Z', '2026-12-01T10:00:00Z'].map((iso) => backup(iso));
    expect(kept(backups, { daily: 2 }, '2026-12-01T12:00:00Z')).toHaveLength(2);
    expect(kept(backups, { daily: 2, timeZone: 'Europe/Berlin' }, '2026-12-01T12:00:00Z')).toEqual(['2026-12-01T10:00:00.000Z']);
  });

  it('counts a month in the time zone, not in UTC', () => {
    // 22:00 UTC on 31 Oct is 1 Nov in Auckland: November's backup there, October's in UTC.
    const backups = ['2026-10-31T22:00:00Z', '2026-11-15T02:00:00Z'].map((iso) => backup(iso));
    expect(kept(backups, { monthly: 2 }, '2026-11-20T00:00:00Z')).toHaveLength(2);
    expect(kept(backups, { monthly: 2, timeZone: 'Pacific/Auckland' }, '2026-11-20T00:00:00Z')).toEqual(['2026-11-15T02:00:00.000Z']);
  });

  it('always keeps the newest complete backup, even when the schedule keeps nothing', () => {
    const backups = [backup('2026-01-01T02:00:00Z'), backup('2026-01-02T02:00:00Z', false)];
    expect(kept(backups, {}, '2027-01-01T00:00:00Z')).toEqual(['2026-01-01T02:00:00.000Z']);
  });

  it('gives a period to a complete backup before a newer incomplete one', () => {
    const backups = [backup('2026-12-01T02:00:00Z'), backup('2026-12-01T04:00:00Z', false)];
    const decisions = selectRetention(backups, { ...none, daily: 1 }, new Date('2026-12-01T05:00:00Z'));
    expect(decisions.map((d) => d.keep)).toEqual([false, true]);
  });

  it('keeps the newest N in addition to the schedule', () => {
    const backups = ['2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'].map((iso) => backup(iso));
    expect(kept(backups, { newest: 2, daily: 1 }, '2026-12-01T04:00:00Z')).toEqual(['2026-12-01T03:00:00.000Z', '2026-12-01T02:00:00.000Z']);
  });

  it('lets one backup serve several tiers and prunes what no tier wants', () => {
    const backups = ['2026-09-30T02:00:00Z', '2026-10-15T02:00:00Z', '2026-10-31T02:00:00Z', '2026-11-30T02:00:00Z'].map((iso) => backup(iso));
    const decisions = selectRetention(backups, { ...none, daily: 7, weekly: 4, monthly: 2 }, new Date('2026-11-30T03:00:00Z'));
    expect(decisions.map((d) => [d.candidate.takenAt.toISOString().slice(0, 10), d.reasons])).toEqual([
      ['2026-11-30', ['newest complete backup', 'daily 2026-11-30', 'weekly 2026-W49', 'monthly 2026-11']],
      ['2026-10-31', ['monthly 2026-10']],
      ['2026-10-15', []],
      ['2026-09-30', []],
    ]);
  });

  it('refuses a time zone it does not know, naming it', () => {
    expect(() => checkTimeZone('Mars/Olympus')).toThrow('"Mars/Olympus" is not a time zone');
    expect(() => checkTimeZone('America/New_York')).not.toThrow();
  });
});
