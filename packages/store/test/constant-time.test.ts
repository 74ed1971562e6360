import * as crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticateApiKey } from "../src/api-keys.js";
import { constantTimeEqual } from "../src/identifier-hasher.js";
import { openPgliteTestStore, testHasher } from "../src/testing.js";

vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

describe("constantTimeEqual (API-key comparison)", () => {
  afterEach(() => timingSafeEqual.mockClear());

  it.each([
    ["the first byte", "Xbcdefgh"],
    ["the last byte", "abcdefgX"],
  ])("compares every byte when %s differs (no short-circuit)", (_where, presented) => {
    expect(constantTimeEqual(presented, "abcdefgh")).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [left, right] = timingSafeEqual.mock.calls[0]!;
    // Both whole values go to the constant-time primitive, whichever byte differs.
    expect(Buffer.from(left as Uint8Array).toString()).toBe(presented);
    expect(Buffer.from(right as Uint8Array).toString()).toBe("abcdefgh");
  });

  it("still spends a constant-time comparison when the lengths differ", () => {
    expect(constantTimeEqual("short", "much longer")).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it("is what API-key authentication uses for its final comparison", async () => {
    const store = await openPgliteTestStore();
    try {
      timingSafeEqual.mockClear();
      expect((await authenticateApiKey(store.db, testHasher, "demo-telco-profile-key"))?.orgId).toBe("telco");
      expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    } finally {
      await store.close();
    }
  });
});
