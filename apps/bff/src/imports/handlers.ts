import { ImportFailureReasonSchema, type importsContract } from "@insights/contracts/imports";
import type { ImportDataset } from "@insights/contracts/records";
import { AppError } from "@insights/errors";
import { escapeControlCharacters, type ImportFormat } from "@insights/imports";
import type { ImportJob, Store } from "@insights/store";
import type { RouterHandlers } from "../platform/http/ts-rest-adapter.js";
import type { ImportService } from "./import-service.js";

type Contract = typeof importsContract;

const notFound = () => new AppError("not_found", { detail: "No import job with this id in your organisation." });

function toWire(job: ImportJob, now: Date) {
  // A reason this version does not know (written by a newer one) is still a failure.
  const failure = job.failure && { ...job.failure, reason: ImportFailureReasonSchema.catch("unclassified").parse(job.failure.reason) };
  const end = job.finishedAt ?? now;
  const seconds = job.startedAt ? Math.max((end.getTime() - job.startedAt.getTime()) / 1000, 0.001) : 0;
  return {
    id: job.id,
    dataset: job.dataset,
    format: job.format,
    state: job.state,
    failure: failure && { reason: failure.reason, detail: escapeControlCharacters(failure.detail) },
    error: failure && escapeControlCharacters(failure.detail),
    rows: job.rows,
    rowsPerSecond: seconds > 0 ? Math.round(job.rows.read / seconds) : 0,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/** The admin import API: organisation from the token, never from the request. */
export function importsHandlers(store: Store, imports: ImportService, now: () => Date): RouterHandlers<Contract> {
  return {
    createImport: async ({ query, caller, rawBody }) => {
      // A token may name an organisation the store does not have: nothing can be imported into it.
      if (!(await store.organisationExists(caller.orgId))) throw new AppError("permission_denied", { detail: "The token's organisation is not registered here." });
      const job = await imports.start({ orgId: caller.orgId, dataset: query.dataset as ImportDataset, format: query.format as ImportFormat, body: rawBody });
      return { status: 202, body: toWire(job, now()) };
    },
    getImport: async ({ params, caller }) => {
      const job = await store.findImportJob(params.id, caller.orgId);
      if (!job) throw notFound();
      return { status: 200, body: toWire(job, now()) };
    },
    listImportRejects: async ({ params, query, caller }) => {
      const job = await store.findImportJob(params.id, caller.orgId);
      if (!job) throw notFound();
      const [line, field] = query.cursor ? query.cursor.split(":") : [];
      const after = line !== undefined && field !== undefined ? { line: Number(line), field } : undefined;
      const page = await store.listImportRejects(job.id, { ...(after ? { after } : {}), limit: query.limit + 1 });
      const rejects = page.slice(0, query.limit).map((r) => ({ ...r, field: escapeControlCharacters(r.field), message: escapeControlCharacters(r.message) }));
      const last = rejects.at(-1);
      return { status: 200, body: { rejects, next: page.length > query.limit && last ? `${last.line}:${last.field}` : null } };
    },
  };
}
