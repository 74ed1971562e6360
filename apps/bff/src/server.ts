import { once } from "node:events";
import { createServer, IncomingMessage, ServerResponse, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
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

/**
 * Express moves every request and response onto its app's prototypes (`app.request`,
 * `app.response`) with Object.setPrototypeOf, request by request: 27 µs of each request's
 * main-thread time in a profile of the mobile overview. Built on those prototypes from the start,
 * the call finds the prototype already set and returns at once. (Node's IncomingMessage and
 * ServerResponse are plain constructor functions, so they can initialise an object of ours.)
 */
export function appMessageClasses(app: Express): { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse } {
  function AppRequest(this: IncomingMessage, socket: Socket) {
    Reflect.apply(IncomingMessage, this, [socket]);
  }
  AppRequest.prototype = app.request;
  function AppResponse(this: ServerResponse, req: IncomingMessage, options?: unknown) {
    Reflect.apply(ServerResponse, this, [req, options]);
  }
  AppResponse.prototype = app.response;
  return { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse };
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
