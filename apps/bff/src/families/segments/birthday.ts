/**
 * Per time zone, its formatter (building an Intl.DateTimeFormat costs far more than using one)
 * and the last date it gave, by UTC second: using one costs ≈20 µs, and every UTC offset is a
 * whole number of seconds, so a zone's date cannot change within a UTC second.
 */
const zones = new Map<string, { formatter: Intl.DateTimeFormat; second: number; date: string }>();

/** The calendar date (YYYY-MM-DD) at `instant` in an IANA time zone. */
export function dateInTimeZone(instant: Date, timeZone: string): string {
  const second = Math.floor(instant.getTime() / 1000);
  let zone = zones.get(timeZone);
  if (zone?.second === second) return zone.date;
  if (!zone) {
    // en-CA formats as YYYY-MM-DD.
    zone = { formatter: new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }), second: NaN, date: "" };
    zones.set(timeZone, zone);
  }
  zone.date = zone.formatter.format(instant);
  zone.second = second;
  return zone.date;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * Whether it is the customer's birthday at `now` in the customer's own time zone. Someone born
 * on 29 February celebrates on 28 February in common years.
 */
export function isBirthdayToday(birthDate: string | null, timeZone: string, now: Date): boolean {
  if (!birthDate) return false;
  const today = dateInTimeZone(now, timeZone);
  const [year, month, day] = today.split("-").map(Number) as [number, number, number];
  const birthMonthDay = birthDate.slice(5, 10);
  if (birthMonthDay === "02-29" && !isLeapYear(year)) return month === 2 && day === 28;
  return birthMonthDay === today.slice(5, 10);
}
