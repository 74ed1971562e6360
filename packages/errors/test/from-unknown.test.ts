import { describe, expect, it } from "vitest";
import { AppError, fromUnknown } from "../src/index.js";

describe("fromUnknown", () => {
  it("keeps an AppError as it is", () => {
    const error = new AppError("conflict");
    expect(fromUnknown(error)).toBe(error);
  });

  it.each([
    [{ type: "entity.parse.failed", status: 400 }, "invalid_argument"],
    [{ type: "entity.too.large", status: 413 }, "payload_too_large"],
    [{ type: "encoding.unsupported", status: 415 }, "unsupported_media_type"],
    [{ type: "charset.unsupported", status: 415 }, "unsupported_media_type"],
    [{ code: "ECONNREFUSED" }, "unavailable"],
    [{ code: "08006" }, "unavailable"],
    [{ code: "57P01" }, "unavailable"],
    [{ code: "57014" }, "timeout"],
    [{ status: 404, expose: true }, "not_found"],
    [Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 }), "invalid_argument"],
    [{ status: 400 }, "invalid_argument"],
    [{ status: 500, expose: false }, "internal"],
    [new TypeError("boom"), "internal"],
    ["a string", "internal"],
  ])("maps %o to %s", (thrown, kind) => {
    expect(fromUnknown(thrown).kind).toBe(kind);
  });

  it("never copies an unknown error's text into the client-facing detail", () => {
    const error = fromUnknown(new Error("password=hunter2"));
    expect(error.detail).toBeUndefined();
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("marks malformed JSON so formats can tell it from a missing field", () => {
    expect(fromUnknown({ type: "entity.parse.failed" }).reason).toBe("malformed_body");
  });
});
