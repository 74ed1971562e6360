import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createIdentifierHasher } from "../src/identifier-hasher.js";

describe("identifier hasher", () => {
  const hasher = createIdentifierHasher(Buffer.alloc(32, 1));

  it("is HMAC-SHA256 of the purpose and the normalised value, so hashes stored by any version still match", () => {
    const expected = createHmac("sha256", Buffer.alloc(32, 1)).update("card_number\u00004969452123456110").digest("base64url");
    expect(hasher.hash("card_number", "4969 4521 2345 6110")).toBe(expected);
    expect(hasher.hash("api_key", "demo-telco-profile-key")).toBe("zhxtvThbvDrwx5vMBZRBES4FqycHrqggQxByVOYvv3Y");
  });

  it("depends on the secret", () => {
    const other = createIdentifierHasher(Buffer.alloc(32, 2));
    expect(hasher.hash("card_number", "4969452123456110")).not.toBe(other.hash("card_number", "4969452123456110"));
  });

  it("separates purposes so equal values of two kinds never share a hash", () => {
    expect(hasher.hash("card_number", "123")).not.toBe(hasher.hash("id_document", "123"));
  });

  it("normalises card numbers and identity documents before hashing", () => {
    expect(hasher.hash("card_number", "4969 4521 2345 6110")).toBe(hasher.hash("card_number", "4969452123456110"));
    expect(hasher.hash("id_document", "87654321-x")).toBe(hasher.hash("id_document", "87654321X"));
  });

  it("refuses a secret shorter than 32 bytes", () => {
    expect(() => createIdentifierHasher(Buffer.alloc(16))).toThrow(/32 bytes/);
  });
});
