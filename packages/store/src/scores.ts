import { sql, type Kysely } from "kysely";
import { storedIdentifierValue } from "./customers.js";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { Database, LineType, ScoringScale } from "./schema.js";

export type ScoringLookupRequest = {
  orgId: string;
  phoneNumber: string | undefined;
  idDocument: string | undefined;
  scale: ScoringScale;
};

/** Everything the scoring rules need about a request's identifiers, from one query. */
export type ScoringLookup = {
  /** The organisation's customer with that phone number, if a phone was given and is known. */
  phoneCustomerId: string | undefined;
  /** The organisation's customer with that identity document, if one was given and is known. */
  documentCustomerId: string | undefined;
  /** The subject (the phone's customer, else the document's): its line type and score on the scale. */
  lineType: LineType | undefined;
  score: number | undefined;
};

export type ScoringSubjectLookup = Omit<ScoringLookup, "score"> & {
  /** The subject's score on each scale it has one on. */
  scores: Partial<Record<ScoringScale, number>>;
};

type SubjectRow = {
  phone_customer_id: string | null;
  document_customer_id: string | null;
  line_type: LineType | null;
  scores: Partial<Record<ScoringScale, number>> | null;
};

/**
 * Resolves phone and document within one organisation, and the subject's scores on every scale
 * at once, in a single round trip: the scoring rules then judge each scale asked for (one, or
 * each for the mobile overview) from it.
 */
export async function lookupScoringSubject(db: Kysely<Database>, hasher: IdentifierHasher, request: Omit<ScoringLookupRequest, "scale">): Promise<ScoringSubjectLookup> {
  const phone = request.phoneNumber ?? null;
  const document = request.idDocument === undefined ? null : storedIdentifierValue(hasher, "id_document", request.idDocument);
  // Left joins from a one-row relation: one row comes back whichever identifiers are unknown.
  const { rows } = await sql<SubjectRow>`
    select p.customer_id as phone_customer_id,
           d.customer_id as document_customer_id,
           c.line_type,
           (select json_object_agg(s.scale, s.value) from customer_scores s where s.customer_id = c.id) as scores
    from (select 1) as one
    left join customer_identifiers p on p.org_id = ${request.orgId} and p.kind = 'phone' and p.value = ${phone}
    left join customer_identifiers d on d.org_id = ${request.orgId} and d.kind = 'id_document' and d.value = ${document}
    left join customers c on c.id = coalesce(p.customer_id, d.customer_id)
  `.execute(db);
  const row = rows[0];
  return {
    phoneCustomerId: row?.phone_customer_id ?? undefined,
    documentCustomerId: row?.document_customer_id ?? undefined,
    lineType: row?.line_type ?? undefined,
    scores: row?.scores ?? {},
  };
}
