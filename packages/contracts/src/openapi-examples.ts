/**
 * One worked example per operation of the OpenAPI document, by operation id (the route's key),
 * drawn from the demo data. Data, not schemas: the OpenAPI test parses every example with the
 * route's own Zod schema, so an example that drifts from its contract fails the build.
 */
export type OperationExample = {
  /** A request body the route accepts. */
  request?: unknown;
  /** The success response: its status and body (none for 201/204). */
  response?: { status: number; body?: unknown };
};

const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";
const importJob = {
  id: "0b7e3d1c-6a0f-4d8e-9b42-3c5d7e9f1a20",
  dataset: "scores",
  format: "ndjson",
  state: "succeeded",
  failure: null,
  error: null,
  rows: { read: 3, imported: 2, unchanged: 0, rejected: 1 },
  rowsPerSecond: 1500,
  createdAt: "2026-03-14T10:00:00.000Z",
  startedAt: "2026-03-14T10:00:00.100Z",
  finishedAt: "2026-03-14T10:00:00.102Z",
};
const AT = "2026-03-14T10:00:00.000Z";

const scoring: OperationExample = {
  request: { phoneNumber: "+34600000001", scoringType: "gaugeMetric" },
  response: { status: 200, body: { scoringType: "gaugeMetric", scoringValue: 600 } },
};
const segment: OperationExample = {
  request: { customerId: "321116471234" },
  response: { status: 200, body: { customer: { fullName: "Luis Diaz Salinas", customerSegment: "20", birthdayTodayFlag: false } } },
};
const publicKey: OperationExample = {
  response: { status: 200, body: { modulus: "c0ffee", exponent: "010001", expiresAt: AT } },
};
const customerCategory = {
  id: 214748364,
  name: "customer_type",
  value: "influencer",
  description: "Bill discount",
  reason: "Masmovil sponsors their videos",
  created_at: AT,
  updated_at: AT,
};
const catalogueCategory = { id: 214748364, name: "customer_type", description: "Commercial treatment of the customer", valid_values: ["influencer", "employee", "standard", null], created_at: AT };
const profileRecord = {
  Attributes: [
    { Name: "msisdn", Value: "91900007707", ID: 8574 },
    { Name: "name", Value: "john", ID: 8576 },
  ],
  InwardLinks: [],
  OutwardLinks: [],
};
const profiles: OperationExample = {
  response: { status: 200, body: { Status: 0, Description: "success", Records: [profileRecord], code: "1000", transid: "4e1c2a7e-5d0b-4c39-9a51-0c8f1d2b3a44" } },
};
const overview: OperationExample = {
  response: {
    status: 200,
    body: {
      customer: { id: LUIS, fullName: "Luis Diaz Salinas" },
      sections: {
        profile: {
          attributes: [{ id: 8574, name: "msisdn", value: "34600000001" }],
          applicationProfiles: [{ profileId: "app-telco-mobile", profileName: "Telco Mobile App", records: [[{ id: 9001, name: "userId", value: "luis.diaz" }]] }],
          channelProfiles: [{ profileId: "channel-facebook", profileName: "Facebook Messenger", records: [[{ id: 9101, name: "fbUserId", value: "1000234567" }]] }],
        },
        segment: { segment: "20", birthdayToday: false },
        categories: { categories: [{ id: 214748364, name: "customer_type", value: "influencer", description: "Bill discount", updatedAt: AT }] },
        score: { error: { type: "urn:insights:problem:timeout", title: "Timeout", status: 504, instance: "0b6f8d2e-8a51-4c0e-9f5e-3d2c1b0a9f87" } },
      },
    },
  },
};

export const operationExamples: Readonly<Record<string, OperationExample>> = {
  getHealth: { response: { status: 200, body: { status: "ok" } } },
  getOpenApiDocument: { response: { status: 200, body: { openapi: "3.0.2", info: { title: "Insights BFF", version: "0.1.0" }, paths: {} } } },
  getReadiness: { response: { status: 200, body: { status: "ready" } } },
  retrieveScoring: scoring,
  retrieveScoringV02: scoring,
  retrieveSegment: segment,
  retrieveSegmentApi: segment,
  retrievePublicKey: publicKey,
  retrievePublicKeyApi: publicKey,
  getCustomerCategoryHistory: {
    response: {
      status: 200,
      body: { history: [{ category_id: 214748364, operation: "create", value: "influencer", description: "Bill discount", reason: "Masmovil sponsors their videos", changed_by: "demo-data", changed_at: AT }] },
    },
  },
  listCustomerCategories: { response: { status: 200, body: { categories: [customerCategory] } } },
  addCustomerCategory: { request: { id: 214748365, value: "low", reason: "Renewed for two years" }, response: { status: 201 } },
  getCustomerCategory: { response: { status: 200, body: customerCategory } },
  patchCustomerCategory: { request: { value: "employee", reason: "Joined the company" }, response: { status: 204 } },
  deleteCustomerCategory: { response: { status: 204 } },
  listCategories: { response: { status: 200, body: { categories: [catalogueCategory] } } },
  addCategories: {
    request: { categories: [{ name: "preferred_channel", description: "Where the customer answers", valid_values: ["sms", "email", null] }] },
    response: { status: 201, body: { categories: [{ id: 1000, name: "preferred_channel", description: "Where the customer answers", valid_values: ["sms", "email", null], created_at: AT }] } },
  },
  getCustomerProfile: profiles,
  getCustomerProfiles: profiles,
  getMyOverview: overview,
  searchCustomers: { response: { status: 200, body: { customers: [{ id: LUIS, fullName: "Luis Diaz Salinas" }] } } },
  getCustomerOverview: overview,
  createImport: {
    request: '{"externalId":"CRM-0001","scoringType":"gaugeMetric","scoringValue":610}\n{"externalId":"CRM-0002","scoringType":"veritasIndex","scoringValue":3}\n',
    response: { status: 202, body: { ...importJob, state: "queued", rows: { read: 0, imported: 0, unchanged: 0, rejected: 0 }, rowsPerSecond: 0, startedAt: null, finishedAt: null } },
  },
  getImport: { response: { status: 200, body: importJob } },
  listImportRejects: { response: { status: 200, body: { rejects: [{ line: 3, field: "scoringValue", message: "gaugeMetric is between 300 and 850" }], next: null } } },
};
