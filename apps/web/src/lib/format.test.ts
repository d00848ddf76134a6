import { describe, expect, it } from 'vitest';
import { dayEndIso, dayStartIso, formatMoney, formatPercent, formatRelative, formatSpeed, humanize, initials } from './format';

describe('format', () => {
  it('shows integer cents as shillings', () => {
    expect(formatMoney(150_000)).toMatch(/1,500/);
    expect(formatMoney(12_345)).toMatch(/123\.45/);
    expect(formatMoney(null)).toBe('—');
  });

  it('reads speeds in kbit/s as Mbps when large enough', () => {
    expect(formatSpeed(512)).toBe('512 kbps');
    expect(formatSpeed(10_000)).toBe('10 Mbps');
    expect(formatSpeed(1_500)).toBe('1.5 Mbps');
  });

  it('says how long ago or how soon', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatRelative('2026-01-10T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-01-07T12:00:00Z', now)).toBe('3 days ago');
    expect(formatRelative('2026-01-15T12:00:00Z', now)).toBe('in 5 days');
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('not a date', now)).toBe('—');
  });

  it('turns enum values into words', () => {
    expect(humanize('status_change')).toBe('Status change');
    expect(humanize('qualified')).toBe('Qualified');
    expect(initials('Grace Wanjiru Kamau')).toBe('GK');
    expect(initials('  ')).toBe('?');
    expect(formatPercent(0.25)).toBe('25%');
    expect(formatPercent(null)).toBe('—');
  });

  it('turns date inputs into the first and last instant of that local day', () => {
    const start = dayStartIso('2026-03-01');
    const end = dayEndIso('2026-03-01');
    expect(start && end && Date.parse(end) - Date.parse(start)).toBe(24 * 3600 * 1000 - 1);
    expect(dayStartIso('')).toBeUndefined();
  });
});
