import { describe, expect, it } from "vitest";
import { dateInTimeZone, isBirthdayToday } from "../../../src/families/segments/birthday.js";

// dateInTimeZone remembers each zone's last date by UTC second: these pin that a date is never
// carried across a zone's midnight, whatever the zone's offset and the order of the calls.
describe("dateInTimeZone", () => {
  it("turns the date at the zone's own midnight, to the millisecond (UTC+5:45)", () => {
    expect(dateInTimeZone(new Date("2026-03-01T18:14:59.000Z"), "Asia/Kathmandu")).toBe("2026-03-01");
    expect(dateInTimeZone(new Date("2026-03-01T18:14:59.999Z"), "Asia/Kathmandu")).toBe("2026-03-01");
    expect(dateInTimeZone(new Date("2026-03-01T18:15:00.000Z"), "Asia/Kathmandu")).toBe("2026-03-02");
    expect(dateInTimeZone(new Date("2026-03-01T18:14:59.500Z"), "Asia/Kathmandu")).toBe("2026-03-01");
  });

  it("honours an offset with seconds (Monrovia's mean time, −0:44:30 until 1972)", () => {
    expect(dateInTimeZone(new Date("1960-06-01T00:44:29.999Z"), "Africa/Monrovia")).toBe("1960-05-31");
    expect(dateInTimeZone(new Date("1960-06-01T00:44:30.000Z"), "Africa/Monrovia")).toBe("1960-06-01");
  });

  it("keeps each zone's date apart within the same second", () => {
    const instant = new Date("2026-06-30T15:00:00.250Z");
    expect(dateInTimeZone(instant, "Asia/Tokyo")).toBe("2026-07-01");
    expect(dateInTimeZone(instant, "America/Mexico_City")).toBe("2026-06-30");
    expect(dateInTimeZone(instant, "Asia/Tokyo")).toBe("2026-07-01");
  });
});

describe("isBirthdayToday", () => {
  it("celebrates 29 February on 28 February in common years", () => {
    expect(isBirthdayToday("2000-02-29", "UTC", new Date("2027-02-28T12:00:00Z"))).toBe(true);
    expect(isBirthdayToday("2000-02-29", "UTC", new Date("2028-02-28T12:00:00Z"))).toBe(false);
    expect(isBirthdayToday("2000-02-29", "UTC", new Date("2028-02-29T12:00:00Z"))).toBe(true);
  });
});
