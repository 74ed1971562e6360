import { MAX_CUSTOMER_IDS_PER_REQUEST, MAX_CUSTOMER_REF_LENGTH } from "@insights/contracts/profiles";
import { openPgliteTestStore } from "@insights/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, sendExact, startTestApp, type TestApp } from "../../support/harness.js";

const KEY = "demo-telco-profile-key";
const OTHER_KEY = "demo-other-profile-key";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const seedColumns = (first: number, names: string[], values: Record<string, string>) => names.map((Name, i) => ({ Name, Value: values[Name] ?? "1", ID: first + i }));

/** The seed's two response examples, record for record. */
const seed4545 = {
  Attributes: seedColumns(8574, ["msisdn", "email", "name", "customerId", "sms", "voice", "rt", "fb", "twitter", "wechat", "wa"], {
    msisdn: "91900007707",
    email: "[email protected]",
    name: "john",
    customerId: "4545",
  }),
  InwardLinks: [],
  OutwardLinks: [],
};
const seedColumnsB = ["msisdn", "email", "name", "customerId", "sms", "voice", "ussd", "rt", "fb", "fbc", "twitter", "mxit", "wechat", "wa"];
const seed2134 = { Attributes: seedColumns(8328, seedColumnsB, { msisdn: "918106565495", email: "[email protected]", name: "jagadeesh", customerId: "2134" }), InwardLinks: [], OutwardLinks: [] };
const seed2142 = { Attributes: seedColumns(8328, seedColumnsB, { msisdn: "919963427038", email: "[email protected]", name: "balaji", customerId: "2142" }), InwardLinks: [], OutwardLinks: [] };

function get(app: TestApp, path: string, headers: Record<string, string> = { key: KEY, "content-type": "application/json" }) {
  return send(`${app.url}/resources/v1/customerprofile${path}`, { headers });
}

describe("customer profiles", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("answers the seed's first example URL with the seed's record", async () => {
    const r = await get(app, "/4545?showinwardlinks=0");
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ Status: 0, Description: "success", Records: [seed4545], code: "1000", transid: expect.stringMatching(UUID) });
  });

  it("answers the seed's second example URL with the seed's two records, in order", async () => {
    const r = await get(app, "?customerId=2134&customerId=2142&showinwardlinks=0");
    expect(r.json).toEqual({ Status: 0, Description: "success", Records: [seed2134, seed2142], code: "1000", transid: expect.stringMatching(UUID) });
  });

  it("keeps the attribute IDs of a column the same across customers", async () => {
    const r = await get(app, "?customerId=2134&customerId=2142");
    const [a, b] = r.json.Records as { Attributes: { ID: number; Name: string }[] }[];
    expect(a!.Attributes.map((x) => [x.Name, x.ID])).toEqual(b!.Attributes.map((x) => [x.Name, x.ID]));
  });

  it("returns records in the order asked, each id once", async () => {
    const r = await get(app, "?customerId=2142&customerId=2134&customerId=2142");
    expect((r.json.Records as { Attributes: { Name: string; Value: string }[] }[]).map((rec) => rec.Attributes.find((a) => a.Name === "customerId")!.Value)).toEqual(["2142", "2134"]);
  });

  it("treats unknown ids and another organisation's ids alike: left out", async () => {
    const r = await get(app, "?customerId=2134&customerId=9999&customerId=no-such-id");
    expect(r.json.Records).toEqual([seed2134]);
    const none = await get(app, "?customerId=9999");
    expect(none.json).toMatchObject({ Status: 0, Records: [] });
  });

  it("answers the single form for another organisation's id exactly as for an unknown id (7014)", async () => {
    const other = await get(app, "/9999");
    const unknown = await get(app, "/123456789");
    expect(other.json).toMatchObject({ Status: 1, code: "7014", Description: "Customer not found" });
    expect({ ...other.json, transid: "" }).toEqual({ ...unknown.json, transid: "" });
    const own = await get(app, "/9999", { key: OTHER_KEY });
    expect(own.json).toMatchObject({ Status: 0, Records: [expect.objectContaining({ Attributes: expect.arrayContaining([{ Name: "name", Value: "Ana Torres Vidal", ID: 9103 }]) })] });
  });

  it("accepts the key in the secretKey header too", async () => {
    expect((await get(app, "/4545", { secretKey: KEY })).json.Status).toBe(0);
  });

  describe("showinwardlinks", () => {
    const links = async (id: string, level: string) => ((await get(app, `/${id}?showinwardlinks=${level}`)).json.Records as { InwardLinks: { ProfileName: string }[] }[])[0]!.InwardLinks;

    it.each(["4545", "100001"])("0 gives the master profile only, 1 adds application profiles, 2 the full profile (customer %s)", async (id) => {
      expect(await links(id, "0")).toEqual([]);
      const app1 = await links(id, "1");
      expect(app1.map((l) => l.ProfileName)).toEqual(["Telco Mobile App"]);
      const full = await links(id, "2");
      expect(full).toHaveLength(2);
      expect(full[0]).toEqual(app1[0]);
    });

    it("lists an application profile's channel attributes", async () => {
      const [link] = await links("100001", "1");
      expect(link).toEqual({
        ProfileID: "app-telco-mobile",
        ProfileName: "Telco Mobile App",
        Records: [[{ Name: "userId", Value: "luis.diaz", ID: 9001 }, { Name: "deviceId", Value: "android-5f2c9e11", ID: 9002 }, { Name: "pushId", Value: "fcm:dK3x9Qp2", ID: 9003 }]],
      });
    });

    it("defaults to 0", async () => {
      expect(await get(app, "/4545").then((r) => r.json.Records)).toEqual([seed4545]);
    });
  });

  it("gives every answer a fresh transid and logs it", async () => {
    const a = await get(app, "/4545");
    const b = await get(app, "/nobody");
    expect(a.json.transid).not.toBe(b.json.transid);
    const logged = app.logs.filter((l) => l.transid !== undefined).map((l) => l.transid);
    expect(logged).toEqual(expect.arrayContaining([a.json.transid, b.json.transid]));
    expect(app.rawLogs()).not.toContain(KEY);
  });

  it(`allows ${MAX_CUSTOMER_IDS_PER_REQUEST} ids in one request`, async () => {
    const ids = Array.from({ length: MAX_CUSTOMER_IDS_PER_REQUEST }, (_, i) => `customerId=${4000 + i}`).join("&");
    expect((await get(app, `?${ids}`)).json.Status).toBe(0);
  });
});

/** Each documented error code, reached by a real request, in both PROFILES_ERROR_HTTP_STATUS modes. */
describe.each([
  ["vendor", { "7000": 200, "7001": 200, "7003": 200, "7006": 200, "7012": 200, "7014": 200 }],
  ["http", { "7000": 400, "7001": 401, "7003": 400, "7006": 503, "7012": 400, "7014": 404 }],
] as const)("errors with PROFILES_ERROR_HTTP_STATUS=%s", (mode, statusOf) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { PROFILES_ERROR_HTTP_STATUS: mode } });
  });
  afterAll(() => app.close());

  function expectCode(r: Awaited<ReturnType<typeof send>>, code: keyof typeof statusOf, description: string) {
    expect(r.status).toBe(statusOf[code]);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.json).toEqual({ Status: 1, Description: description, code, transid: expect.stringMatching(UUID) });
  }

  it("7001 Authentication failed without a key", async () => {
    expectCode(await get(app, "/4545", {}), "7001", "Authentication failed");
  });

  it("7001 Authentication failed for a wrong key", async () => {
    expectCode(await get(app, "/4545", { key: "demo-telco-profile-kez" }), "7001", "Authentication failed");
  });

  it("7000 Invalid JSON for a body that is not JSON", async () => {
    const r = await sendExact(`${app.url}/resources/v1/customerprofile/4545`, { headers: { key: KEY, "content-type": "application/json" }, body: "{customerId" });
    expectCode(r, "7000", "Invalid JSON");
  });

  it.each([
    ["no customerId", ""],
    ["a showinwardlinks outside 0, 1, 2", "?customerId=4545&showinwardlinks=3"],
    ["a showinwardlinks that is not a number", "?customerId=4545&showinwardlinks=x"],
    ["a customerId with a control character", "?customerId=45%0045"],
    [`a customerId longer than ${MAX_CUSTOMER_REF_LENGTH} characters`, `?customerId=${"9".repeat(MAX_CUSTOMER_REF_LENGTH + 1)}`],
  ])("7003 Mandatory parameters missing for %s", async (_name, query) => {
    expectCode(await get(app, query), "7003", "Mandatory parameters missing");
  });

  it.each([
    ["an e-mail-shaped id", "/john%40example.com"],
    ["an MSISDN-shaped id", "/%2B919000000000"],
    ["an id with spaces and accents", "/Jos%C3%A9%20P%C3%A9rez"],
    [`an id of ${MAX_CUSTOMER_REF_LENGTH} characters`, `/${"9".repeat(MAX_CUSTOMER_REF_LENGTH)}`],
  ])("7014 Customer not found, not 7003, for %s the seed allows", async (_name, path) => {
    expectCode(await get(app, path), "7014", "Customer not found");
  });

  it(`7012 Batch size limit exceeded above ${MAX_CUSTOMER_IDS_PER_REQUEST} ids`, async () => {
    const ids = Array.from({ length: MAX_CUSTOMER_IDS_PER_REQUEST + 1 }, (_, i) => `customerId=${5000 + i}`).join("&");
    expectCode(await get(app, `?${ids}`), "7012", "Batch size limit exceeded");
  });

  it("7014 Customer not found for a single unknown id", async () => {
    expectCode(await get(app, "/424242"), "7014", "Customer not found");
  });

  it("7006 Internal error when the store fails", async () => {
    const store = await openPgliteTestStore();
    const broken = await startTestApp({ store, env: { PROFILES_ERROR_HTTP_STATUS: mode } });
    try {
      await store.close();
      const r = await get(broken, "/4545");
      expectCode(r, "7006", "Internal error");
      expect(r.text).not.toMatch(/closed|pglite/i);
    } finally {
      await broken.close();
    }
  });
});
