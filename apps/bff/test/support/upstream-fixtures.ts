import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the upstream tests share: a small loopback HTTP server, the environment of upstream families, request headers. */

export type LoopbackServer = { url: string; close(): Promise<void> };

/** An HTTP server on 127.0.0.1 that hands each request, with its body read, to `handler`. */
export async function startLoopbackServer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => void handler(req, res, body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export const upstreamFamilyNames = ["SCORING", "SEGMENTS", "CATEGORIES", "PROFILES"] as const;

/** `<FAMILY>_PROVIDER=upstream`, its URL and the organisation its vendor account belongs to (`telco`), for each family named (all four by default). */
export function upstreamEnv(url: string, families: readonly string[] = upstreamFamilyNames, organisation = "telco"): Record<string, string> {
  return Object.fromEntries(
    families.flatMap((family) => [
      [`${family}_PROVIDER`, "upstream"],
      [`${family}_UPSTREAM_URL`, url],
      [`${family}_UPSTREAM_ORGANISATION`, organisation],
    ]),
  );
}

/** A Citibanamex segment request's headers for the demo client (`demo-mobile-app`, MX, BCNMX, MOBILE), a fresh uuid. */
export function segmentRequestHeaders(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "application/json",
    authorization: `Bearer ${token}`,
    client_id: "demo-mobile-app",
    accept: "application/json",
    uuid: randomUUID(),
    countrycode: "MX",
    businesscode: "BCNMX",
    channelid: "MOBILE",
    ...extra,
  };
}
