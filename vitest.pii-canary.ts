// The PII canary. vitest.shared.ts runs this file in a project group of its own, after every
// other test file of the package, in the same vitest run (so its result is in the package's
// report and in `npm test`'s count). It reads the run's log, which every logger and process the
// tests created wrote to (packages/config/src/testing.ts).
import { expect, it } from "vitest";
import { findLeaks, readRunLog, type TestSecret } from "./packages/config/src/testing.js";
import { DEMO_API_KEYS, DEMO_CUSTOMERS } from "./packages/store/src/demo-data.js";

/** Every phone number, identity document, card number and API key of the demo data the tests run on. */
function demoSecrets(): TestSecret[] {
  const secrets: TestSecret[] = [];
  for (const customer of DEMO_CUSTOMERS) {
    const source = `demo customer ${customer.externalId}`;
    const { phone, id_document: document, card_number: card } = customer.identifiers;
    if (phone) secrets.push({ kind: "phone number", value: phone, source });
    if (document) secrets.push({ kind: "identity document", value: document, source });
    if (card) secrets.push({ kind: "card number", value: card, source });
    for (const [, name, value] of customer.attributes ?? []) if (name === "msisdn") secrets.push({ kind: "phone number", value, source });
  }
  for (const key of DEMO_API_KEYS) secrets.push({ kind: "API key", value: key.key, source: `demo API key "${key.label}"` });
  return secrets;
}

const shown = 20;

it("received the logs of this run", () => {
  expect(readRunLog().log.length, "nothing reached .vitest/run.log: the package's tests did not run (see their failures) or their loggers no longer write to it").toBeGreaterThan(0);
});

it("finds in the run's log no phone number, identity document, card number, token or API key the tests used, nor anything shaped like one", () => {
  const { log, recorded } = readRunLog();
  const leaks = findLeaks(log, [...demoSecrets(), ...recorded]);
  const listing = leaks.slice(0, shown).join("\n") + (leaks.length > shown ? `\n… and ${leaks.length - shown} more` : "");
  expect(leaks.length, `leaks in .vitest/run.log:\n${listing}\n`).toBe(0);
});
