/**
 * Market sessions, pure. US equities trade in the regular session (09:30-16:00 New York by default,
 * shorter on early-close days, never on weekends or holidays) and, for limit orders that ask for it,
 * in the extended session (04:00-20:00), as Alpaca allows. Crypto trades around the clock.
 */

const EARLY_CLOSE_LATE_SESSION_END = 17 * 60;

/** NYSE full-day closures, 2026 and 2027 (review each year; `market.holidays` replaces the list). */
export const NYSE_HOLIDAYS = [
  '2026-01-01',
  '2026-01-19',
  '2026-02-16',
  '2026-04-03',
  '2026-05-25',
  '2026-06-19',
  '2026-07-03',
  '2026-09-07',
  '2026-11-26',
  '2026-12-25',
  '2027-01-01',
  '2027-01-18',
  '2027-02-15',
  '2027-03-26',
  '2027-05-31',
  '2027-06-18',
  '2027-07-05',
  '2027-09-06',
  '2027-11-25',
  '2027-12-24',
] as const;
/** NYSE 13:00 closes (the day after Thanksgiving, Christmas Eve). */
export const NYSE_EARLY_CLOSES = {
  '2026-11-27': '13:00',
  '2026-12-24': '13:00',
  '2027-11-26': '13:00',
} as const;
/** Crypto pairs as brokers and TradingView write them: BTC/USD, BTCUSD, ETHUSDT. */
export const CRYPTO_PATTERN =
  '^(?:[A-Z0-9]+/[A-Z]+|(?:BTC|ETH|SOL|LTC|BCH|DOGE|AVAX|LINK|UNI|AAVE|DOT|XRP|SHIB|ADA|MATIC)(?:USD|USDT|USDC))$';

/** The NYSE calendar with its defaults: 09:30-16:00 regular, 04:00-20:00 extended, New York time. */
export const NYSE_CALENDAR: MarketCalendar = {
  timeZone: 'America/New_York',
  open: '09:30',
  close: '16:00',
  extendedOpen: '04:00',
  extendedClose: '20:00',
  holidays: NYSE_HOLIDAYS,
  earlyCloses: NYSE_EARLY_CLOSES,
};

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
  const instant = now.getTime();
  const wall = new Date(instant + zoneOffsetAt(instant, timeZone));
  return {
    day: wall.toISOString().slice(0, 10),
    weekday: wall.getUTCDay(),
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

/** Every alert of a day asks for the same business days: the last answer is kept. */
let lastBusinessDays:
  | { day: string; count: number; holidays: readonly string[]; days: readonly string[] }
  | undefined;

/** The last `count` business days up to and including `day` (weekends and holidays skipped). */
export function businessDaysEnding(
  day: string,
  count: number,
  holidays: readonly string[],
): readonly string[] {
  const last = lastBusinessDays;
  if (last?.day === day && last.count === count && last.holidays === holidays) return last.days;
  const days: string[] = [];
  const cursor = new Date(`${day}T12:00:00Z`);
  while (days.length < count) {
    const iso = cursor.toISOString().slice(0, 10);
    const weekday = cursor.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.includes(iso)) days.push(iso);
    cursor.setUTCDate(cursor.getUTCDate() - 1);
  }
  lastBusinessDays = { day, count, holidays, days: Object.freeze(days) };
  return lastBusinessDays.days;
}

/** The regular session's state at `now`, and its next open and close, as a broker's clock reports them. */
export function marketClockAt(
  now: Date,
  calendar: MarketCalendar,
): { isOpen: boolean; nextOpen: Date; nextClose: Date } {
  let nextOpen: Date | undefined;
  let nextClose: Date | undefined;
  const cursor = new Date(`${localParts(now, calendar.timeZone).day}T12:00:00Z`);
  // Three weeks always hold a business day: no calendar closes longer than that.
  for (let i = 0; i < 21 && (nextOpen === undefined || nextClose === undefined); i += 1) {
    const day = cursor.toISOString().slice(0, 10);
    const weekday = cursor.getUTCDay();
    cursor.setUTCDate(cursor.getUTCDate() + 1);
    if (weekday === 0 || weekday === 6 || calendar.holidays.includes(day)) continue;
    const open = zonedInstant(day, calendar.open, calendar.timeZone);
    const close = zonedInstant(day, calendar.earlyCloses[day] ?? calendar.close, calendar.timeZone);
    if (nextOpen === undefined && now < open) nextOpen = open;
    if (nextClose === undefined && now < close) nextClose = close;
  }
  if (nextOpen === undefined || nextClose === undefined) throw new RangeError('calendar has no session');
  return { isOpen: sessionAt(now, 'us_equity', calendar) === 'regular', nextOpen, nextClose };
}

/** The instant at which the wall clock in `timeZone` shows `clock` (HH:MM) on `day`. */
export function zonedInstant(day: string, clock: string, timeZone: string): Date {
  const asUtc = Date.parse(`${day}T${clock}:00Z`);
  const offsetAt = (instant: number) => {
    const local = localParts(new Date(instant), timeZone);
    return Date.parse(`${local.day}T00:00:00Z`) + local.minutes * 60_000 - instant;
  };
  const first = asUtc - offsetAt(asUtc);
  // Near a daylight-saving change the offset at the guess and at the answer differ: take the latter.
  return new Date(asUtc - offsetAt(first));
}

const HOUR_MS = 3_600_000;

/** Per time zone, its offset from UTC through one UTC hour (undefined: the offset changes within it). */
const OFFSETS = new Map<string, { hour: number; offsetMs: number | undefined }>();

/**
 * How far the wall clock in `timeZone` is ahead of UTC at `instant`, in milliseconds. Intl is read at
 * both ends of the instant's UTC hour; when they agree (a zone changes its offset at most once an
 * hour), that offset serves the whole hour without asking Intl again.
 */
function zoneOffsetAt(instant: number, timeZone: string): number {
  const hour = Math.floor(instant / HOUR_MS);
  let known = OFFSETS.get(timeZone);
  if (known?.hour !== hour) {
    const start = hour * HOUR_MS;
    const first = readOffset(start, timeZone);
    const last = readOffset(start + HOUR_MS - 1000, timeZone);
    known = { hour, offsetMs: first === last ? first : undefined };
    OFFSETS.set(timeZone, known);
  }
  return known.offsetMs ?? readOffset(instant, timeZone);
}

/** The offset of `timeZone` at `instant`, as Intl gives it (offsets are whole seconds). */
function readOffset(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

/** One formatter per time zone: making one costs more than everything else a risk check does. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = FORMATTERS.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    FORMATTERS.set(timeZone, formatter);
  }
  return formatter;
}

function toMinutes(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}
