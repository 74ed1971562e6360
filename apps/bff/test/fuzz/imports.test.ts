import { IMPORTS_READ_SCOPE, IMPORTS_WRITE_SCOPE } from "@insights/contracts/imports";
import fc from "fast-check";
import { bearerCredentials } from "./credentials.js";
import { fuzzFamily } from "./fuzz-family.js";
import { oddString } from "./odd-values.js";

/** An upload: NDJSON or CSV lines, well-formed or not (the job rejects bad rows; the request is still accepted). */
const upload = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }).map((rows) => rows.map((r) => JSON.stringify(r)).join("\n")),
  fc.constant('{"externalId":"CRM-9001","fullName":"Fuzz Customer"}\n'),
  fc.constant("externalId,fullName\nCRM-9002,Fuzz Customer\n"),
  oddString,
);

fuzzFamily("imports", {
  prepare: async (app) => {
    const credentials = await bearerCredentials(app, [{ scopes: [IMPORTS_WRITE_SCOPE, IMPORTS_READ_SCOPE] }]);
    // A job to read back, so the read routes reach a job and its rejects.
    const token = await app.token({ scopes: [IMPORTS_WRITE_SCOPE] });
    const created = await fetch(`${app.url}/admin/v1/imports?dataset=customers&format=ndjson`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" },
      body: '{"externalId":"CRM-9000"}\nnot json\n',
    });
    const job = ((await created.json()) as { id: string }).id;
    const hints = new Map<string, unknown[]>([["id", [job]]]);
    return {
      options: () => ({ hints, credentials, rawBody: upload }),
      // Accepted imports run in the background and change customers meanwhile: only the jobs are counted.
      watchedTables: ["import_jobs:count"],
    };
  },
});
