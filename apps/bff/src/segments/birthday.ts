/** One formatter per time zone: building an Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) at `instant` in an IANA time zone. */
export function dateInTimeZone(instant: Date, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA formats as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
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
