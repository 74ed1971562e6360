import { createInsightsClient, type InsightsClient } from "@insights/contracts/client";
import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/harness.js";

const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";

const segmentHeaders = {
  client_id: "demo-mobile-app",
  accept: "application/json",
  uuid: "0f8fad5b-d9cb-469f-a165-70867728950e",
  "content-type": "application/json",
  countrycode: "MX",
  businesscode: "BCNMX",
  channelid: "MOBILE",
};

describe("typed client (@insights/contracts/client) against the real BFF", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("reads a customer's overview through the mobile API, typed by status", async () => {
    const client = createInsightsClient({ baseUrl: app.url, token: await app.token({ scopes: [MOBILE_SCOPE] }) });
    const found = await client.mobile.searchCustomers({ query: { phoneNumber: "+34600000001" } });
    expect(found.status).toBe(200);
    if (found.status !== 200) return;
    const id = found.body.customers[0]!.id;
    const r = await client.mobile.getCustomerOverview({ params: { customerId: id }, query: { include: "segment,score" } });
    expect(r.status).toBe(200);
    if (r.status !== 200) return;
    const segment = r.body.sections.segment;
    expect(segment && "segment" in segment ? segment.segment : undefined).toBe("20");
    expect(Object.keys(r.body.sections).sort()).toEqual(["score", "segment"]);
  });

  it("answers an error status with the problem body the contract declares", async () => {
    const client = createInsightsClient({ baseUrl: app.url, token: await app.token({ scopes: [MOBILE_SCOPE] }) });
    const r = await client.mobile.getCustomerOverview({ params: { customerId: "00000000-0000-4000-8000-000000000000" } });
    expect(r.status).toBe(404);
    if (r.status === 404) expect(r.body.type).toBe("urn:insights:problem:not-found");
  });

  it("calls each vendor family with its own headers and credentials", async () => {
    const bearer = createInsightsClient({ baseUrl: app.url, token: await app.token({ scopes: [SCORING_SCOPE, SEGMENTS_SCOPE] }) });
    const score = await bearer.scoring.retrieveScoring({ body: { phoneNumber: "+34600000001", scoringType: "veritasIndex" } });
    expect(score).toMatchObject({ status: 200, body: { scoringType: "veritasIndex", scoringValue: 4 } });
    const segment = await bearer.segments.retrieveSegment({ headers: segmentHeaders, body: { customerId: "321116471234" } });
    expect(segment).toMatchObject({ status: 200, body: { customer: { fullName: "Luis Diaz Salinas", customerSegment: "20" } } });
    const keyed = createInsightsClient({ baseUrl: app.url, apiKey: "demo-telco-profile-key" });
    const profile = await keyed.profiles.getCustomerProfile({ params: { customerid: "4545" }, query: { showinwardlinks: "0" } });
    expect(profile.status).toBe(200);
  });
});

/**
 * Compile-time guarantees, checked by `tsc` (the package's typecheck): each `@ts-expect-error`
 * fails the build if the call it marks ever compiles. Never run.
 */
export function callsThatMustNotCompile(client: InsightsClient) {
  // A field the contract does not have.
  // @ts-expect-error phoneNumbr is not a field of the scoring request
  void client.scoring.retrieveScoring({ body: { phoneNumbr: "+34600000001" } });
  // A field of the wrong type.
  // @ts-expect-error scoringType is one of the two scales
  void client.scoring.retrieveScoring({ body: { scoringType: "fico" } });
  // A wrong path parameter.
  // @ts-expect-error the overview's path parameter is customerId
  void client.mobile.getCustomerOverview({ params: { id: LUIS } });
  // A missing required header.
  const { countrycode: _omitted, ...withoutCountry } = segmentHeaders;
  // @ts-expect-error countrycode is a required header of segment retrieval
  void client.segments.retrieveSegment({ headers: withoutCountry, body: { customerId: "321116471234" } });
  // A response field the contract does not declare.
  void client.mobile.getCustomerOverview({ params: { customerId: LUIS } }).then((r) => {
    // @ts-expect-error an overview has no balance
    if (r.status === 200) return r.body.balance;
    return undefined;
  });
}
