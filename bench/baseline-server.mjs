// The bare baseline: Express parsing a JSON body and answering a constant JSON body, nothing else.
import express from "express";

const app = express();
app.use(express.json());
app.post("/baseline", (_req, res) => res.json({ scoringType: "gaugeMetric", scoringValue: 600 }));
app.get("/baseline", (_req, res) => res.json({ scoringType: "gaugeMetric", scoringValue: 600 }));
const server = app.listen(0, "127.0.0.1", () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
