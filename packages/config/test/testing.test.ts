import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findLeaks, readRunLog, teeToRunLog, type TestSecret } from "../src/testing.js";

const card: TestSecret = { kind: "card number", value: "4969452123456110", source: "demo customer CRM-0001" };
const token: TestSecret = { kind: "token", value: "minted-token-0123456789", source: "a token a test signed" };
const line = (writer: string, record: Record<string, unknown>) => `${writer}\t${JSON.stringify({ level: 30, time: 1796153399787, ...record })}`;

describe("findLeaks", () => {
  it("names the line, its writer and the listed secret, written in clear or grouped", () => {
    const log = [line("a", { msg: "fine" }), line("b", { msg: "card 4969 4521 2345 6110 declined" }), line("c", { authorization: `Bearer ${token.value}` })].join("\n");
    const leaks = findLeaks(log, [card, token]);
    expect(leaks).toContain("run.log line 2 (b): the card number 4969…10 (16 characters) of demo customer CRM-0001");
    expect(leaks).toContain("run.log line 3 (c): the token mint…89 (23 characters) of a token a test signed");
  });

  it.each([
    ["an E.164 phone number", { msg: "call +447700900123" }],
    ["an identity document (8 digits and a letter)", { msg: "document 00000000T refused" }],
    ["a card number (13 to 19 digits)", { detail: "5500-0000-0000-0004" }],
    ["a JWT", { header: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl" }],
  ])("finds %s no list names", (shape, record) => {
    expect(findLeaks(line("w", record), [])).toEqual([expect.stringMatching(new RegExp(`^run\\.log line 1 \\(w\\): ${shape.replace(/[()]/g, "\\$&")}, `))]);
  });

  it("leaves alone pino's timestamps, UUIDs, short numbers and redacted values", () => {
    const log = line("w", { requestId: "12345678-1234-4234-8234-123456789012", job: randomUUID(), line: 1234, msg: "row 1234 for [REDACTED]", phoneNumber: "[REDACTED]" });
    expect(findLeaks(log, [card, token])).toEqual([]);
  });
});

describe("teeToRunLog", () => {
  const script = (marker: string) =>
    [
      `process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), msg: "record ${marker}" }) + "\\n")`,
      `process.stdout.write("output ${marker}\\n")`,
      `process.stderr.write("message ${marker}\\n")`,
    ].join(";");

  /** Runs the script as a process of that kind; returns the lines of the run's log holding its marker. */
  async function teed(kind: "service" | "command") {
    const marker = randomUUID();
    const child = spawn(process.execPath, ["-e", script(marker)], { stdio: ["ignore", "pipe", "pipe"] });
    teeToRunLog(child, `a ${kind}`, kind);
    await new Promise((resolve) => child.on("close", resolve));
    return readRunLog()
      .log.split("\n")
      .filter((line) => line.includes(marker))
      .map((line) => line.replace(marker, "<marker>"))
      .sort();
  }

  it("copies a service's log records and the rest of its stderr, not its other output", async () => {
    expect(await teed("service")).toEqual(["a service stderr\tmessage <marker>", expect.stringMatching(/^a service stdout\t\{.*"msg":"record <marker>"/)]);
  });

  it("copies only the log records of a command: the rest is its output to the person running it", async () => {
    expect(await teed("command")).toEqual([expect.stringMatching(/^a command stdout\t\{.*"msg":"record <marker>"/)]);
  });
});
