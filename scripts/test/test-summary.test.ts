import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { formatCounts, formatSlowest, latestTurboSummary, readTestArtifacts, slowestTestFiles, summarise } from "../test-summary.mjs";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));

type Artifacts = ReturnType<typeof readTestArtifacts>;

/**
 * Runs one fixture folder with the packages' own vitest setup, as turbo runs a package's tests
 * (`config`: the setup of a package without or with the PII canary; `prepare`: what its .vitest
 * folder holds before); returns its exit code.
 */
function runFixture(name: string, options: { config?: string; prepare?: (dir: string) => void } = {}): number {
  const dir = join(fixtures, name);
  rmSync(join(dir, ".vitest"), { recursive: true, force: true });
  options.prepare?.(join(dir, ".vitest"));
  const result = spawnSync(process.execPath, [join(repoRoot, "node_modules", "vitest", "vitest.mjs"), "run", "--config", options.config ?? "../vitest.config.ts"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    encoding: "utf8",
  });
  return result.status ?? 1;
}

const testTask = (directory: string, exitCode: number) => ({ taskId: `${directory}#test`, task: "test", directory, command: "vitest run", execution: { exitCode } });
const otherTask = (task: string, exitCode: number | null) => ({ taskId: `pkg#${task}`, task, directory: "pkg", command: task, execution: { exitCode } });
const transit = { taskId: "pkg#transit", task: "transit", directory: "pkg", command: "<NONEXISTENT>", execution: { exitCode: 0 } };
const cleanReport = { numPassedTests: 3, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [] };
const artifacts = (parts: Partial<Artifacts>) => (): Artifacts => ({ report: undefined, unhandledErrors: undefined, skipReasons: [], ...parts });

const runs = new Map<string, { exitCode: number; artifacts: Artifacts }>();
function runAndRead(name: string, options?: Parameters<typeof runFixture>[1]) {
  const exitCode = runFixture(name, options);
  runs.set(name, { exitCode, artifacts: readTestArtifacts(join(fixtures, name)) });
}
const summaryOf = (name: string) => {
  const run = runs.get(name)!;
  return summarise({ tasks: [testTask(name, run.exitCode)], artifactsOf: () => run.artifacts, turboExitCode: run.exitCode });
};

describe("the summary of real vitest runs", () => {
  beforeAll(() => {
    for (const name of ["load-error", "unhandled-error", "mixed"]) runAndRead(name);
  }, 60_000);

  it("counts a test file that fails to load as a failure, beside the file that passed", () => {
    const summary = summaryOf("load-error");
    expect(runs.get("load-error")!.exitCode).toBe(1);
    expect({ passed: summary.passed, failed: summary.failed }).toEqual({ passed: 1, failed: 1 });
    expect(summary.problems.join("\n")).toMatch(/broken\.fixture\.mjs failed outside its tests: .*this file cannot load/);
  });

  it("counts an error raised outside any test, which vitest's JSON report does not show", () => {
    const run = runs.get("unhandled-error")!;
    expect(run.artifacts.report.numFailedTests).toBe(0);
    expect(run.artifacts.unhandledErrors).toBe(1);
    const summary = summaryOf("unhandled-error");
    expect({ passed: summary.passed, failed: summary.failed }).toEqual({ passed: 2, failed: 1 });
    expect(summary.problems).toEqual(["unhandled-error#test: 1 error(s) raised outside any test"]);
  });

  it("counts passed, failed, skipped and to-do tests as vitest does", () => {
    const summary = summaryOf("mixed");
    expect({ passed: summary.passed, failed: summary.failed, skipped: summary.skipped }).toEqual({ passed: 2, failed: 1, skipped: 2 });
  });

  it("lists the slowest test files across packages, slowest first, from the reports' times, and says which were replayed", () => {
    const tasks = ["load-error", "unhandled-error", "mixed"].map((name) => ({ ...testTask(name, 1), cache: { status: name === "mixed" ? "HIT" : "MISS" } }));
    const all = slowestTestFiles({ tasks, artifactsOf: (dir: string) => runs.get(dir)!.artifacts, root: fixtures, count: 100 });
    expect(all.map(({ file }) => file).sort()).toEqual(["load-error/broken.fixture.mjs", "load-error/fine.fixture.mjs", "mixed/mixed.fixture.mjs", "unhandled-error/stray.fixture.mjs"].sort());
    expect(all.map(({ seconds }) => seconds)).toEqual([...all.map(({ seconds }) => seconds)].sort((a, b) => b - a));
    expect(all.every(({ seconds }) => seconds >= 0 && seconds < 60)).toBe(true);
    expect(all.find(({ file }) => file.startsWith("mixed/"))!.replayed).toBe(true);
    expect(slowestTestFiles({ tasks, artifactsOf: (dir: string) => runs.get(dir)!.artifacts, root: fixtures, count: 2 })).toEqual(all.slice(0, 2));
    const lines = formatSlowest(all, "node20");
    expect(lines[0]).toBe("slowest test files on node20 (seconds):");
    expect(lines.find((line) => line.includes("mixed/mixed.fixture.mjs"))).toMatch(/^ +\d+\.\d {2}mixed\/mixed\.fixture\.mjs \(replayed from the cache\)$/);
  });
});

describe("the PII canary, on real vitest runs of a package whose tests log", () => {
  const canary = "../vitest.canary.config.ts";
  const staleLeak = `old.fixture\t${JSON.stringify({ level: 30, time: 1, msg: "lookup for +34600000001" })}\n`;
  beforeAll(() => {
    runAndRead("pii-leak", { config: canary });
    runAndRead("pii-clean", {
      config: canary,
      prepare: (dir) => {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "run.log"), staleLeak);
      },
    });
  }, 120_000);
  const canaryFailures = (name: string) =>
    runs
      .get(name)!
      .artifacts.report.testResults.filter((file: { name: string }) => file.name.endsWith("vitest.pii-canary.ts"))
      .flatMap((file: { assertionResults: { status: string; failureMessages: string[] }[] }) => file.assertionResults)
      .filter((test: { status: string }) => test.status === "failed")
      .flatMap((test: { failureMessages: string[] }) => test.failureMessages);

  it("fails the run when a demo card number reached the log, as one failed test naming the line, its writer and the secret", () => {
    expect(runs.get("pii-leak")!.exitCode).toBe(1);
    const summary = summaryOf("pii-leak");
    expect({ passed: summary.passed, failed: summary.failed }).toEqual({ passed: 2, failed: 1 });
    const [message = "", ...others] = canaryFailures("pii-leak");
    expect(others).toEqual([]);
    expect(message).toContain("run.log line 1 (leak.fixture): the card number 4969…10 (16 characters) of demo customer CRM-0001");
    expect(message).toContain("run.log line 1 (leak.fixture): a card number (13 to 19 digits)");
  });

  it("judges only its own run: a leak an earlier run left in the log is gone when the run starts", () => {
    expect(runs.get("pii-clean")!.exitCode).toBe(0);
    expect(canaryFailures("pii-clean")).toEqual([]);
    expect(summaryOf("pii-clean")).toMatchObject({ passed: 3, failed: 0 });
  });
});

describe("the summary of turbo's tasks", () => {
  it.each(["lint", "typecheck", "build"])("counts a failed %s task as a failure", (task) => {
    const summary = summarise({ tasks: [otherTask(task, 1), testTask("pkg", 0)], artifactsOf: artifacts({ report: cleanReport }), turboExitCode: 1 });
    expect(summary).toMatchObject({ passed: 3, failed: 1, problems: [`pkg#${task} failed (exit 1)`] });
  });

  it("counts a task that never ran as a failure", () => {
    const summary = summarise({ tasks: [otherTask("build", null)], artifactsOf: artifacts({}), turboExitCode: 1 });
    expect(summary).toMatchObject({ failed: 1, problems: ["pkg#build did not run"] });
  });

  it("counts a test task that left no report as a failure", () => {
    const summary = summarise({ tasks: [testTask("pkg", 1)], artifactsOf: artifacts({}), turboExitCode: 1 });
    expect(summary.failed).toBe(1);
    expect(summary.problems[0]).toContain("left no test report");
  });

  it("counts a test task that failed with a clean report as a failure", () => {
    const summary = summarise({ tasks: [testTask("pkg", 1)], artifactsOf: artifacts({ report: cleanReport, unhandledErrors: 0 }), turboExitCode: 1 });
    expect({ passed: summary.passed, failed: summary.failed }).toEqual({ passed: 3, failed: 1 });
  });

  it("never says 0 failed when turbo itself failed", () => {
    const summary = summarise({ tasks: [testTask("pkg", 0)], artifactsOf: artifacts({ report: cleanReport }), turboExitCode: 1 });
    expect(summary.failed).toBe(1);
  });

  it("counts nothing for a passing run, and ignores tasks without a command (the transit node)", () => {
    const summary = summarise({ tasks: [transit, otherTask("lint", 0), testTask("pkg", 0)], artifactsOf: artifacts({ report: cleanReport, unhandledErrors: 0 }), turboExitCode: 0 });
    expect(summary).toEqual({ passed: 3, failed: 0, skipped: 0, problems: [], skipReasons: [] });
  });

  it("gathers each reason tests were skipped once, whichever packages and processes reported it", () => {
    const reasons = [
      { what: "PostgreSQL", reason: "DATABASE_URL is unset" },
      { what: "PostgreSQL", reason: "DATABASE_URL is unset" },
    ];
    const summary = summarise({ tasks: [testTask("a", 0), testTask("b", 0)], artifactsOf: artifacts({ report: cleanReport, skipReasons: reasons }), turboExitCode: 0 });
    expect(summary.skipReasons).toEqual(["PostgreSQL tests: DATABASE_URL is unset"]);
  });
});

describe("the summary line", () => {
  it("is 'N passed, N failed' with ', N skipped' only when tests were skipped, and an optional one-word label", () => {
    expect(formatCounts({ passed: 5, failed: 0, skipped: 0 })).toBe("5 passed, 0 failed");
    expect(formatCounts({ passed: 5, failed: 2, skipped: 3 })).toBe("5 passed, 2 failed, 3 skipped");
    expect(formatCounts({ passed: 1, failed: 0, skipped: 0 }, "node24")).toBe("node24: 1 passed, 0 failed");
  });
});

describe("finding turbo's run summary", () => {
  it("takes the newest summary written since the run started, and none from before it", () => {
    const root = mkdtempSync(join(tmpdir(), "turbo-runs-"));
    const runs = join(root, ".turbo", "runs");
    mkdirSync(runs, { recursive: true });
    writeFileSync(join(runs, "old.json"), JSON.stringify({ id: "old" }));
    utimesSync(join(runs, "old.json"), new Date(1_000_000), new Date(1_000_000));
    expect(latestTurboSummary(root, 2_000_000)).toBeUndefined();
    writeFileSync(join(runs, "new.json"), JSON.stringify({ id: "new" }));
    expect(latestTurboSummary(root, 2_000_000)).toEqual({ id: "new" });
    rmSync(root, { recursive: true, force: true });
  });
});
