import { MasstackErrorBodySchema } from "@insights/errors";
import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { errorResponses } from "./error-responses.js";
import { organisationRoute, type RolesPolicy } from "./policy.js";
import { storedText } from "./records/fields.js";

/**
 * MasStack MasCustomers v4 — customer categories (seed 002) and the organisation's category
 * catalogue. Bodies the vendor does not publish (CustomerCategory, CustomerCategories,
 * CustomerCategoryHistory, the catalogue) are ours, in the vendor's style: snake_case, RFC 3339.
 */

export const CATEGORIES_READ_SCOPE = "categories:read";
export const CATEGORIES_WRITE_SCOPE = "categories:write";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** An int32 in a path segment: digits only (no "1e3", " 12", "0x10"), within range. */
const Int32PathSchema = z
  .string()
  .regex(/^-?\d{1,10}$/, "must be an int32")
  .transform(Number)
  .pipe(z.number().int().min(INT32_MIN, "must be an int32").max(INT32_MAX, "must be an int32"));

export const CustomerPathSchema = z.object({
  org_id: z.string().min(1).max(63),
  customer_id: z.string().uuid("must be a UUID"),
});
export const CustomerCategoryPathSchema = CustomerPathSchema.extend({ category_id: Int32PathSchema });
export const OrganisationPathSchema = z.object({ org_id: z.string().min(1).max(63) });

export type CategoryAccess = "read" | "write";

/**
 * Roles a caller may send in `x-auth-roles` to narrow what its token allows (docs/categories.md),
 * and what each allows: `API_KEY` (the value the vendor's examples send) keeps the token's rights,
 * `CATEGORIES_READER` reading, `CATEGORIES_WRITER` reading and writing. Unknown roles allow nothing.
 */
export const accessOfCategoryRole = {
  API_KEY: ["read", "write"],
  CATEGORIES_READER: ["read"],
  CATEGORIES_WRITER: ["read", "write"],
} as const satisfies Record<string, readonly CategoryAccess[]>;
export const categoryRoles = Object.keys(accessOfCategoryRole) as (keyof typeof accessOfCategoryRole)[];
export const ROLES_HEADER = "x-auth-roles";
export const RolesHeaderSchema = z.object({
  [ROLES_HEADER]: z
    .string()
    .max(1024)
    .regex(/^[A-Za-z0-9_-]+(\s*,\s*[A-Za-z0-9_-]+)*$/, "a comma-separated list of role names")
    .optional(),
});

const Int32Schema = z.number().int().min(INT32_MIN).max(INT32_MAX);
const TextSchema = storedText(1000);
const ValueSchema = storedText(200);

export const PostCustomerCategorySchema = z
  .object({
    id: Int32Schema,
    value: ValueSchema.nullable(),
    description: TextSchema.optional(),
    reason: TextSchema.optional(),
  })
  .strict();
export type PostCustomerCategory = z.infer<typeof PostCustomerCategorySchema>;

export const PatchCustomerCategorySchema = z
  .object({
    value: ValueSchema.nullable().optional(),
    description: TextSchema.nullable().optional(),
    reason: TextSchema.nullable().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: "at least one of value, description, reason" });
export type PatchCustomerCategory = z.infer<typeof PatchCustomerCategorySchema>;

export const CustomerCategorySchema = z.object({
  id: Int32Schema,
  name: z.string(),
  value: z.string().nullable(),
  description: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.string().datetime(),
  updated_at: z.string().datetime(),
});
export type CustomerCategory = z.infer<typeof CustomerCategorySchema>;

export const CustomerCategoriesSchema = z.object({ categories: z.array(CustomerCategorySchema) });

export const CustomerCategoryHistoryEntrySchema = z.object({
  category_id: Int32Schema,
  operation: z.enum(["create", "update", "delete"]),
  value: z.string().nullable(),
  description: z.string().nullable(),
  reason: z.string().nullable(),
  /** The subject (`sub`) of the token that made the change. */
  changed_by: z.string(),
  changed_at: z.string().datetime(),
});
export const CustomerCategoryHistorySchema = z.object({ history: z.array(CustomerCategoryHistoryEntrySchema) });

/**
 * Most history entries one answer carries. The seed defines no paging, so a request without
 * `limit`/`cursor` gets the history unchanged up to this many entries; a `Link: <…>; rel="next"`
 * header says when there is more.
 */
export const MAX_HISTORY_ENTRIES = 1000;

/** Optional paging of the history (ours, not the vendor's): `cursor` is opaque, taken from a `Link` header. */
export const HistoryPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_ENTRIES).optional(),
  cursor: z
    .string()
    .regex(/^[0-9]{1,18}$/, "must be the cursor of a Link header")
    .optional(),
});

export const CategorySchema = z.object({
  id: Int32Schema,
  name: z.string(),
  description: z.string().nullable(),
  valid_values: z.array(z.string().nullable()),
  created_at: z.string().datetime(),
});
export const CategoriesSchema = z.object({ categories: z.array(CategorySchema) });

export const PostCategoriesSchema = z
  .object({
    categories: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "1 to 100 letters, digits, '_', '.' or '-'"),
            description: TextSchema.optional(),
            valid_values: z.array(ValueSchema.nullable()).min(1).max(1000),
          })
          .strict(),
      )
      .min(1)
      .max(100)
      .refine((list) => new Set(list.map((c) => c.name)).size === list.length, { message: "names must be unique" }),
  })
  .strict();
export type PostCategories = z.infer<typeof PostCategoriesSchema>;

const errors = errorResponses(MasstackErrorBodySchema, [400, 401, 403, 404, 429, 500, 503, 504]);

const c = initContract();
const base = "/v4/orgs/:org_id";

/** The roles header as the policy of a route that needs `access`: the roles that allow it. */
function rolesAllowing(access: CategoryAccess): RolesPolicy {
  return { header: ROLES_HEADER, access, allowedBy: categoryRoles.filter((role) => (accessOfCategoryRole[role] as readonly CategoryAccess[]).includes(access)) };
}

/** Every route acts on the organisation `org_id` names: the token's own, with the scope and a role that allow the access. */
const read = organisationRoute({ scopes: [CATEGORIES_READ_SCOPE], organisationParam: "org_id", roles: rolesAllowing("read") });
const write = organisationRoute({ scopes: [CATEGORIES_WRITE_SCOPE], organisationParam: "org_id", roles: rolesAllowing("write") });

export const categoriesContract = c.router(
  {
    // Before getCustomerCategory: Express matches in order, and "historical" is not a category id.
    getCustomerCategoryHistory: {
      method: "GET",
      path: `${base}/customers/:customer_id/categories/historical`,
      summary: "Every change of the customer's categories, in order",
      pathParams: CustomerPathSchema,
      query: HistoryPageQuerySchema,
      headers: RolesHeaderSchema,
      responses: { 200: CustomerCategoryHistorySchema, ...errors },
      metadata: read,
    },
    listCustomerCategories: {
      method: "GET",
      path: `${base}/customers/:customer_id/categories`,
      summary: "The customer's categories",
      pathParams: CustomerPathSchema,
      headers: RolesHeaderSchema,
      responses: { 200: CustomerCategoriesSchema, ...errors },
      metadata: read,
    },
    addCustomerCategory: {
      method: "POST",
      path: `${base}/customers/:customer_id/categories`,
      summary: "Adds a category to the customer",
      pathParams: CustomerPathSchema,
      headers: RolesHeaderSchema,
      body: PostCustomerCategorySchema,
      responses: { 201: c.noBody(), ...errors, 409: MasstackErrorBodySchema },
      metadata: write,
    },
    getCustomerCategory: {
      method: "GET",
      path: `${base}/customers/:customer_id/categories/:category_id`,
      summary: "One of the customer's categories",
      pathParams: CustomerCategoryPathSchema,
      headers: RolesHeaderSchema,
      responses: { 200: CustomerCategorySchema, ...errors },
      metadata: read,
    },
    patchCustomerCategory: {
      method: "PATCH",
      path: `${base}/customers/:customer_id/categories/:category_id`,
      summary: "Changes the value, description or reason of a customer's category",
      pathParams: CustomerCategoryPathSchema,
      headers: RolesHeaderSchema,
      body: PatchCustomerCategorySchema,
      responses: { 204: c.noBody(), ...errors },
      metadata: write,
    },
    deleteCustomerCategory: {
      method: "DELETE",
      path: `${base}/customers/:customer_id/categories/:category_id`,
      summary: "Removes a category from the customer",
      pathParams: CustomerCategoryPathSchema,
      headers: RolesHeaderSchema,
      body: c.noBody(),
      responses: { 204: c.noBody(), ...errors },
      metadata: write,
    },
    listCategories: {
      method: "GET",
      path: `${base}/categories`,
      summary: "The organisation's category catalogue",
      pathParams: OrganisationPathSchema,
      headers: RolesHeaderSchema,
      responses: { 200: CategoriesSchema, ...errors },
      metadata: read,
    },
    addCategories: {
      method: "POST",
      path: `${base}/categories`,
      summary: "Adds categories to the catalogue (all or none)",
      pathParams: OrganisationPathSchema,
      headers: RolesHeaderSchema,
      body: PostCategoriesSchema,
      responses: { 201: CategoriesSchema, ...errors, 409: MasstackErrorBodySchema },
      metadata: write,
    },
  },
  { strictStatusCodes: true },
);
