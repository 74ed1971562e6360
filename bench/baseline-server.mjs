// The bare baseline: Express parsing a JSON body and answering a constant JSON body, nothing else.
// With APP_PROTOTYPES set, the same app on a server built as the BFF's is (requests and responses
// constructed on the app's prototypes, apps/bff/src/server.ts): how much of the BFF's ratio that
// construction alone is worth.
import { createServer } from "node:http";
import express from "express";
import { appMessageClasses } from "../apps/bff/dist/server.js";

const app = express();
app.use(express.json());
app.post("/baseline", (_req, res) => res.json({ scoringType: "gaugeMetric", scoringValue: 600 }));
app.get("/baseline", (_req, res) => res.json({ scoringType: "gaugeMetric", scoringValue: 600 }));
const server = (process.env.APP_PROTOTYPES ? createServer(appMessageClasses(app), app) : createServer(app)).listen(0, "127.0.0.1", () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
