import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AppError,
  createCodecs,
  errorKinds,
  families,
  invalidReasons,
  type ErrorCodec,
} from "../src/index.js";

const codecs = createCodecs({ imiconnectHttpStatus: "http" });
const vendorModeImiconnect = createCodecs({ imiconnectHttpStatus: "vendor" }).imiconnect;

const arbitraryError = fc
  .record(
    {
      kind: fc.constantFrom(...errorKinds),
      vendorCode: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
      field: fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/), { nil: undefined }),
      detail: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
      reason: fc.option(fc.constantFrom(...invalidReasons), { nil: undefined }),
      retryAfterSeconds: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }),
    },
    { requiredKeys: ["kind"] },
  )
  .map(({ kind, ...options }) => new AppError(kind, options));

const context = {
  correlator: "corr-1",
  requestUuid: "0f8fad5b-d9cb-469f-a165-70867728950e",
  transid: "236fe39b-78b0-4f94-bcda-270cdd01ab9a",
  instance: "req-1",
  now: new Date("2026-11-22T10:00:00.000Z"),
};

function checkRoundTrip(codec: ErrorCodec) {
  fc.assert(
    fc.property(arbitraryError, (error) => {
      const wire = codec.render(error, context);
      const parsed = codec.parse(wire.status, wire.body);
      // What crosses the wire once crosses it again unchanged: parse loses nothing the format carries.
      const again = codec.render(parsed, context);
      expect(again.status).toBe(wire.status);
      expect(again.body).toEqual(wire.body);
      // And a documented code survives as itself.
      const code = (wire.body as { code?: unknown }).code;
      if (typeof code === "string" && codec.family !== "problem") expect(parsed.vendorCode).toBe(code);
    }),
    { numRuns: 300 },
  );
}

describe("render → parse → render is stable", () => {
  it.each(families)("for %s", (family) => {
    checkRoundTrip(codecs[family]);
  });

  it("for imiconnect in vendor (HTTP 200) mode", () => {
    checkRoundTrip(vendorModeImiconnect);
  });
});
