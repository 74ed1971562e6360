import { describe, expect, it } from "vitest";
import { escapeControlCharacters } from "../src/index.js";
import { unknownFieldsMessage } from "../src/unknown-fields.js";
import { validateRecord } from "../src/validate-record.js";

const customer = { externalId: "C-1", fullName: "Ana Pérez" };

describe("text an import stores", () => {
  it.each([
    ["customers", { ...customer, fullName: "evil\u0000name" }, "fullName"],
    ["customers", { ...customer, fullName: "two\nlines" }, "fullName"],
    ["profile-attributes", { externalId: "C-1", columnId: 1, name: "colour", value: "\u001b[2Jred" }, "value"],
    ["category-assignments", { externalId: "C-1", categoryId: 1, value: "a\rb" }, "value"],
    ["category-assignments", { externalId: "C-1", categoryId: 1, value: "a", description: "bell\u0007" }, "description"],
  ] as const)("refuses NUL and C0 control characters in every free-text field (%s, %j), one reject naming the field", (dataset, fields, field) => {
    const result = validateRecord(dataset, 7, fields);
    expect(result).toEqual({ ok: false, rejects: [{ line: 7, field, message: "must not contain control characters (U+0000 to U+001F) other than tab" }] });
  });

  it("takes a tab, and characters past the C0 range", () => {
    expect(validateRecord("customers", 1, { ...customer, fullName: "Ana\tPérez ✓" }).ok).toBe(true);
    expect(validateRecord("profile-attributes", 1, { externalId: "C-1", columnId: 1, name: "note", value: "a\tb ž" }).ok).toBe(true);
  });
});

describe("reject messages", () => {
  it("name an unknown field only when it looks like a field name, never echoing other keys", () => {
    const hostile = "\u001b]0;owned\u0007\u001b[2J\tcolour\n";
    const result = validateRecord("customers", 3, { ...customer, [hostile]: "x" });
    expect(result).toEqual({ ok: false, rejects: [{ line: 3, field: "(record)", message: "unknown field" }] });
    expect(validateRecord("customers", 3, { ...customer, colour: "red" })).toEqual({ ok: false, rejects: [{ line: 3, field: "(record)", message: "unknown field: colour" }] });
  });

  it("say how many unknown fields there are past the five they name, and count the unnamed ones", () => {
    expect(unknownFieldsMessage(["a", "b", "c", "d", "e", "f", "g"])).toBe("unknown fields: a, b, c, d, e and 2 more");
    expect(unknownFieldsMessage(["a", "1x", "x y"])).toBe("unknown fields: a and 2 more");
    expect(unknownFieldsMessage(["1x", "x y"])).toBe("unknown fields");
    expect(unknownFieldsMessage(["colour"], "column")).toBe("unknown column: colour");
    expect(unknownFieldsMessage([`a${"b".repeat(63)}`])).toBe(`unknown field: a${"b".repeat(63)}`);
    expect(unknownFieldsMessage([`a${"b".repeat(64)}`])).toBe("unknown field");
  });
});

describe("escaping control characters for display", () => {
  it("writes \\\\, \\t, \\n, \\r as such and every other C0, DEL and C1 character as \\xNN", () => {
    expect(escapeControlCharacters("a\\b\tc\nd\re\u0000f\u001b]0;x\u0007\u007f\u009b")).toBe("a\\\\b\\tc\\nd\\re\\x00f\\x1b]0;x\\x07\\x7f\\x9b");
    expect(escapeControlCharacters("plain text, ünïcode ✓")).toBe("plain text, ünïcode ✓");
  });
});
