import { once } from "node:events";
import { createServer, IncomingMessage, ServerResponse, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "pino";
import type { Lifecycle } from "./lifecycle.js";

export type RunningServer = { server: Server; url: string };

/** Listens on host:port (0 picks a free port) and resolves once accepting. */
export async function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server = createServer(appMessageClasses(app), app).listen(port, host);
  await once(server, "listening");
  // Slowloris protection; the defaults of newer Node versions, made explicit for Node 20.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  const address = server.address() as AddressInfo;
  const shownHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  return { server, url: `http://${shownHost}:${address.port}` };
}

type MessageClasses = { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse };
const messageClasses = new WeakMap<Express, MessageClasses>();

/**
 * Express moves every request and response onto its app's prototypes (`app.request`,
 * `app.response`) with Object.setPrototypeOf, request by request. On Node 20 that call halves
 * bare Express's throughput. This server builds them as instances of classes whose prototypes are
 * the app's, so the call finds the prototype already set and returns at once. The classes extend
 * Node's own, so V8 constructs them as fast as Node's (a plain function calling Node's
 * constructor, with `app.request` as its prototype, was 20% slower on Node 24). The app's
 * prototypes are replaced by the classes' (Express's methods above them, the app's own
 * properties, and whatever was installed on them, copied), once per app.
 */
export function appMessageClasses(app: Express): MessageClasses {
  const known = messageClasses.get(app);
  if (known) return known;
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  app.request = standIn(AppRequest.prototype, app.request) as Express["request"];
  app.response = standIn(AppResponse.prototype, app.response) as Express["response"];
  const classes: MessageClasses = { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof ServerResponse };
  messageClasses.set(app, classes);
  return classes;
}

/** Makes a class's prototype stand in for one of the app's: the same prototype above it, the same own properties (but its constructor). */
function standIn(classPrototype: object, appPrototype: object): object {
  Object.setPrototypeOf(classPrototype, Object.getPrototypeOf(appPrototype));
  const { constructor: _constructor, ...own } = Object.getOwnPropertyDescriptors(appPrototype);
  Object.defineProperties(classPrototype, own);
  return classPrototype;
}

export type ShutdownOptions = {
  server: Server;
  lifecycle: Lifecycle;
  logger: Logger;
  timeoutMs: number;
  /** Resources to release once no request is in flight (store, Redis…), in order. */
  release: (() => Promise<void>)[];
};

/**
 * Graceful shutdown: readiness turns 503 at once, no new connection is accepted, requests in
 * flight finish (keep-alive connections are closed after their current response), and after
 * `timeoutMs` whatever is still open is cut. Then resources are released.
 */
export async function shutDown(options: ShutdownOptions): Promise<void> {
  const { server, lifecycle, logger } = options;
  if (lifecycle.shuttingDown) return;
  lifecycle.shuttingDown = true;
  logger.info("shutting down: draining requests in flight");
  server.on("request", (_req, res) => res.setHeader("connection", "close"));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    logger.warn("shutdown timeout reached: closing remaining connections");
    server.closeAllConnections();
  }, options.timeoutMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
  for (const release of options.release) {
    try {
      await release();
    } catch (error) {
      logger.error({ err: error }, "error while releasing a resource during shutdown");
    }
  }
  logger.info("shutdown complete");
}
