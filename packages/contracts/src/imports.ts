import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { errorResponses } from "./error-responses.js";
import { bearerRoute, streamedBody } from "./policy.js";
import { ProblemSchema } from "./problem.js";
import { importDatasets } from "./records/index.js";

/**
 * The admin import API (the BFF's own, RFC 9457 errors): upload a file to import into the
 * caller's organisation (from its token), follow the job, page through its rejected rows.
 */

export const IMPORTS_WRITE_SCOPE = "imports:write";
export const IMPORTS_READ_SCOPE = "imports:read";

const c = initContract();

export const ImportJobStateSchema = z.enum(["queued", "running", "succeeded", "failed"]);

/**
 * Why a job failed, for a program to act on: `not_the_format` (not the declared format, a bad
 * CSV header, not gzip), `too_large` (IMPORT_MAX_DECOMPRESSED_MB), `too_many_rejects`
 * (IMPORT_MAX_REJECTS), `interrupted_too_often` (IMPORT_MAX_ATTEMPTS), `staged_file_gone`,
 * `internal` (not the file's fault: the operator's log has it), `unclassified` (failed before
 * reasons were recorded).
 */
export const importFailureReasons = ["not_the_format", "too_large", "too_many_rejects", "interrupted_too_often", "staged_file_gone", "internal", "unclassified"] as const;
export const ImportFailureReasonSchema = z.enum(importFailureReasons);
export type ImportFailureReason = z.infer<typeof ImportFailureReasonSchema>;

/** A failed job's reason and, for a person, what happened and what to do (never a row's values). */
export const ImportFailureSchema = z.object({ reason: ImportFailureReasonSchema, detail: z.string() });
export type ImportFailure = z.infer<typeof ImportFailureSchema>;

export const ImportJobSchema = z.object({
  id: z.string().uuid(),
  dataset: z.enum(importDatasets as [string, ...string[]]),
  format: z.enum(["ndjson", "csv"]),
  state: ImportJobStateSchema,
  /** Why the job failed; null unless `state` is `failed`. */
  failure: ImportFailureSchema.nullable(),
  /** `failure.detail`, kept for clients written before `failure` existed. */
  error: z.string().nullable(),
  rows: z.object({ read: z.number().int(), imported: z.number().int(), unchanged: z.number().int(), rejected: z.number().int() }),
  rowsPerSecond: z.number(),
  createdAt: z.string().datetime(),
  startedAt: z.string().datetime().nullable(),
  finishedAt: z.string().datetime().nullable(),
});
export type ImportJobView = z.infer<typeof ImportJobSchema>;

export const ImportRejectSchema = z.object({ line: z.number().int(), field: z.string(), message: z.string() });

export const ImportRejectsPageSchema = z.object({
  rejects: z.array(ImportRejectSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  next: z.string().nullable(),
});

const ImportIdSchema = z.object({ id: z.string().uuid("must be an import job id (a UUID)") });

export const importsContract = c.router(
  {
    createImport: {
      method: "POST",
      path: "/admin/v1/imports",
      summary: "Import a file (NDJSON or CSV with a header, optionally gzip), streamed as the body, into the caller's organisation",
      query: z.object({ dataset: z.enum(importDatasets as [string, ...string[]]), format: z.enum(["ndjson", "csv"]) }).strict(),
      // Not parsed: the handler reads the file as it arrives (see `streamedBody`).
      body: z.unknown().describe("The file: NDJSON, or CSV with a header row; UTF-8; gzip accepted"),
      responses: { 202: ImportJobSchema, ...errorResponses(ProblemSchema, [400, 401, 403, 413, 429, 500, 503]) },
      metadata: streamedBody(bearerRoute(IMPORTS_WRITE_SCOPE)),
    },
    getImport: {
      method: "GET",
      path: "/admin/v1/imports/:id",
      summary: "An import job: state, row counts, rows per second",
      pathParams: ImportIdSchema,
      responses: { 200: ImportJobSchema, ...errorResponses(ProblemSchema, [400, 401, 403, 404, 429, 500, 503]) },
      metadata: bearerRoute(IMPORTS_READ_SCOPE),
    },
    listImportRejects: {
      method: "GET",
      path: "/admin/v1/imports/:id/rejects",
      summary: "An import job's rejected rows (line, field, message), a page at a time",
      pathParams: ImportIdSchema,
      query: z
        .object({
          cursor: z.string().regex(/^\d{1,12}:[A-Za-z()]{1,64}$/, "must be the `next` of a previous page").optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        })
        .strict(),
      responses: { 200: ImportRejectsPageSchema, ...errorResponses(ProblemSchema, [400, 401, 403, 404, 429, 500, 503]) },
      metadata: bearerRoute(IMPORTS_READ_SCOPE),
    },
  },
  { strictStatusCodes: true },
);
