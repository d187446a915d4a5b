/**
 * Market sessions, pure. US equities trade in the regular session (09:30-16:00 New York by default,
 * shorter on early-close days, never on weekends or holidays) and, for limit orders that ask for it,
 * in the extended session (04:00-20:00), as Alpaca allows. Crypto trades around the clock.
 */

const EARLY_CLOSE_LATE_SESSION_END = 17 * 60;

/** Where an instant falls for a symbol's market. */
export type Session = 'regular' | 'extended' | 'closed';
/** What kind of instrument a symbol is. */
export type AssetClass = 'us_equity' | 'crypto';

/** A market calendar. Times are HH:MM in `timeZone`. */
export interface MarketCalendar {
  timeZone: string;
  open: string;
  close: string;
  extendedOpen: string;
  extendedClose: string;
  holidays: readonly string[];
  earlyCloses: Readonly<Record<string, string>>;
}

/** The asset class of `symbol`: crypto when it matches `cryptoPattern`, else US equity. */
export function assetClassOf(symbol: string, cryptoPattern: RegExp): AssetClass {
  return cryptoPattern.test(symbol) ? 'crypto' : 'us_equity';
}

/** The session at `now` for `assetClass` under `calendar`. */
export function sessionAt(now: Date, assetClass: AssetClass, calendar: MarketCalendar): Session {
  if (assetClass === 'crypto') return 'regular';
  const local = localParts(now, calendar.timeZone);
  if (local.weekday === 0 || local.weekday === 6 || calendar.holidays.includes(local.day)) return 'closed';
  const minutes = local.minutes;
  const close = toMinutes(calendar.earlyCloses[local.day] ?? calendar.close);
  if (minutes >= toMinutes(calendar.open) && minutes < close) return 'regular';
  // On early-close days the late session still runs, to 17:00 (NYSE), or earlier if so configured.
  const extendedClose = calendar.earlyCloses[local.day]
    ? Math.min(EARLY_CLOSE_LATE_SESSION_END, toMinutes(calendar.extendedClose))
    : toMinutes(calendar.extendedClose);
  if (minutes >= toMinutes(calendar.extendedOpen) && minutes < extendedClose) return 'extended';
  return 'closed';
}

/** The local calendar day (YYYY-MM-DD), weekday (0 = Sunday) and minutes since midnight in `timeZone`. */
export function localParts(now: Date, timeZone: string): { day: string; weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    day: `${get('year')}-${get('month')}-${get('day')}`,
    weekday: weekdays.indexOf(get('weekday')),
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

/** The last `count` business days up to and including `day` (weekends and holidays skipped). */
export function businessDaysEnding(day: string, count: number, holidays: readonly string[]): string[] {
  const days: string[] = [];
  const cursor = new Date(`${day}T12:00:00Z`);
  while (days.length < count) {
    const iso = cursor.toISOString().slice(0, 10);
    const weekday = cursor.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.includes(iso)) days.push(iso);
    cursor.setUTCDate(cursor.getUTCDate() - 1);
  }
  return days;
}

function toMinutes(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}
