import { mkdirSync, writeFileSync } from "node:fs";
import { type TestStore } from "@insights/store/testing";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiContract, type ApiContract } from "@insights/contracts";
import type { ImiconnectHttpStatusMode } from "@insights/errors";

import type { AppRoute } from "@ts-rest/core";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/harness.js";
import { contractRoutes, responseChecker } from "./checks.js";
import { applyMutations, fuzzRequest, toWire, type RouteFuzzOptions } from "./requests.js";
import { describeRequest, preview, wireClient } from "./wire.js";

/**
 * Runs the fuzz suite over every route of one top-level router of the contract (a family, or
 * the mobile or admin API): at least FUZZ_RUNS cases per route, each one request checked by
 * checks.ts, and the store compared around every write (see docs: "Fuzzing").
 */

export type FamilyKey = keyof ApiContract;

export type FamilyFuzz = {
  /** Per route: hints, credentials, raw body. */
  options(route: AppRoute): RouteFuzzOptions;
  /**
   * Tables a refused request must leave as they were: whole rows compared, or `:count` for
   * tables that something else (a background import) may change meanwhile.
   */
  watchedTables: readonly string[];
  /** GET routes that write when they succeed (the key exchange opens a session). */
  writingReads?: readonly string[];
  /** Puts back what earlier routes' runs may have removed (a category to patch or delete). */
  beforeRoute?: (route: string) => Promise<void>;
};

export type FamilySetup = {
  env?: Record<string, string>;
  prepare(app: TestApp): Promise<FamilyFuzz>;
};

function readSettings(env: NodeJS.ProcessEnv) {
  const runs = Number(env.FUZZ_RUNS ?? (env.CI ? 1000 : 200));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer, not ${String(env.FUZZ_RUNS)}`);
  const seed = env.FUZZ_SEED === undefined ? undefined : Number(env.FUZZ_SEED);
  if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not ${String(env.FUZZ_SEED)}`);
  return { runs, seed, path: env.FUZZ_PATH, route: env.FUZZ_ROUTE };
}

export const fuzzSettings = readSettings(process.env);

/** How long one route's run may take: generous per case for a slow CI machine, plus shrinking. */
const timeoutMs = (runs: number) => 60_000 + runs * 60;

async function fingerprint(store: TestStore, tables: readonly string[]): Promise<string> {
  const parts = tables.map((entry) => {
    const [table, mode] = entry.split(":");
    if (!/^[a-z0-9_]+$/.test(table ?? "")) throw new Error(`not a table name: ${entry}`);
    return mode === "count" ? `(select count(*)::text from ${table})` : `(select count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from ${table} t)`;
  });
  const result = await sql.raw<{ fp: string }>(`select ${parts.join(" || '|' || ")} as fp`).execute(store.db);
  return result.rows[0]?.fp ?? "";
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

type RouteStats = { cases: number; accepted: number; ms: number; statuses: Record<string, number> };

export function fuzzFamily(key: FamilyKey, setup: FamilySetup, imiconnectMode: ImiconnectHttpStatusMode = "vendor") {
  const routes = contractRoutes(apiContract[key] as never, key);
  const settings = fuzzSettings;
  const stats = new Map<string, RouteStats>();

  describe(`fuzz ${key}${imiconnectMode === "http" ? " (PROFILES_ERROR_HTTP_STATUS=http)" : ""}`, () => {
    let app: TestApp;
    let family: FamilyFuzz;
    let client: ReturnType<typeof wireClient>;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), "bff-fuzz-"));
      app = await startTestApp({
        env: {
          // Every request must reach validation and the handlers, never the rate limit.
          RATE_LIMIT_MAX: "1000000000",
          RATE_LIMIT_ADDRESS_MAX: "1000000000",
          LOG_LEVEL: "warn",
          DATA_DIR: dataDir,
          PROFILES_ERROR_HTTP_STATUS: imiconnectMode,
          ...setup.env,
        },
      });
      family = await setup.prepare(app);
      client = wireClient(app.url);
    }, 120_000);

    afterAll(async () => {
      client?.close();
      await app?.close();
      await rm(dataDir, { recursive: true, force: true });
      mkdirSync(".vitest/fuzz", { recursive: true });
      const report = { runsPerRoute: settings.runs, seed: settings.seed ?? "random per route", routes: Object.fromEntries(stats) };
      writeFileSync(`.vitest/fuzz/${key}${imiconnectMode === "http" ? "-http" : ""}.json`, `${JSON.stringify(report, null, 2)}\n`);
    });

    it.each(routes.filter((r) => !settings.route || r.name === settings.route).map((r) => [`${r.name}: ${r.route.method} ${r.route.path}`, r] as const))(
      "%s",
      async (_label, { name, route }) => {
        const check = responseChecker(imiconnectMode);
        const options = family.options(route);
        const watched = () => fingerprint(app.store, family.watchedTables);
        const writingRead = family.writingReads?.includes(name.split(".").pop() ?? "") ?? false;
        const routeStats: RouteStats = { cases: 0, accepted: 0, ms: 0, statuses: {} };
        stats.set(name, routeStats);
        const seed = settings.seed ?? Math.floor(Math.random() * 2 ** 31);
        await family.beforeRoute?.(name);
        const started = Date.now();
        let baseline: string | undefined = await watched();

        const property = fc.asyncProperty(fuzzRequest(route, options), async ({ parts, mutations }) => {
          const wire = toWire(route, applyMutations(route, parts, mutations));
          baseline ??= await watched();
          const res = await client.send(wire);
          const { problem, outcome } = check(wire, res);
          routeStats.cases++;
          if (!outcome.rejected) routeStats.accepted++;
          routeStats.statuses[outcome.status] = (routeStats.statuses[outcome.status] ?? 0) + 1;
          const fail = (what: string) => {
            baseline = undefined;
            return new Error(
              `${what}\n--- mutations: ${mutations.map((m) => m.op).join(", ") || "none (a valid request)"}\n--- request\n${describeRequest(wire)}\n--- response ${res.status}\n${preview(res.text, 1000)}`,
            );
          };
          if (problem) throw fail(problem);
          if (WRITE_METHODS.has(wire.method) || (writingRead && wire.method === "GET")) {
            const after = await watched();
            if (outcome.rejected && after !== baseline) throw fail(`the request was refused (${res.status}) but changed the store`);
            baseline = after;
          }
        });
        const details = await fc.check(property, { numRuns: settings.runs, seed, ...(settings.path ? { path: settings.path } : {}) });
        routeStats.ms = Date.now() - started;
        if (details.failed) {
          const replay = `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ""} FUZZ_ROUTE=${name} npx vitest run test/fuzz/${key}.test.ts`;
          const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
          throw new Error(`${fc.defaultReportMessage(details) ?? "the fuzz run failed"}\n\n${cause}\n\nreproduce (in apps/bff): ${replay}`);
        }
        // Reads change nothing: the store is as the last write left it.
        expect(await watched(), "a read request changed the store").toBe(baseline);
        if (!settings.path) expect(routeStats.cases).toBeGreaterThanOrEqual(settings.runs);
        // Valid requests got through: the handlers were reached, not only the validation.
        if (!settings.path) expect(routeStats.accepted, `no request succeeded: ${JSON.stringify(routeStats.statuses)}`).toBeGreaterThan(0);
      },
      timeoutMs(settings.runs),
    );
  });
}
