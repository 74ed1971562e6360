/**
 * A faster acceptance test for import records, compiled from the contract's own Zod schema (its
 * definition tree, `_def`), never restated: the same checks, in the same order, on the same
 * values — without Zod's per-node contexts, statuses and issue lists, which made strict parsing
 * about a sixth of a worker's CPU per row.
 *
 * It only ever says "valid, and this is the output" or "not sure": a record it does not accept
 * (invalid, or of a shape it does not know) goes to Zod's own `safeParse`, which gives the exact
 * outcome and messages. So it must never accept what Zod rejects, and must give what Zod gives
 * for what it accepts (test/compiled-schema.test.ts compares both on every dataset, random
 * records included). A node of a kind it does not compile is checked by that node's own
 * `safeParse` (exact, only slower).
 */

/** What the compiled checks need of a Zod 3 schema (the contracts' `zod`). */
type ZodNode = {
  _def: object;
  safeParse(value: unknown): { success: true; data: unknown } | { success: false };
};

/** The value of a check that did not pass (or was not sure): the record goes to Zod. */
const NOT_ACCEPTED: unique symbol = Symbol("not accepted");
type Outcome = unknown;
type Check = (value: unknown) => Outcome;

/** `data`: the output Zod would give (the schema's record type, which the caller names). */
export type CompiledSchema = (value: unknown) => { ok: true; data: object } | { ok: false };

/** A refinement's or preprocess's context: any issue it adds means the record is not accepted here. */
type EffectContext = { failed: boolean; addIssue(): void; readonly path: (string | number)[] };
function effectContext(): EffectContext {
  const ctx: EffectContext = {
    failed: false,
    // Bound, as Zod's is: an effect may call it detached.
    addIssue: () => {
      ctx.failed = true;
    },
    path: [],
  };
  return ctx;
}

/** The node checked by its own safeParse: exact, for any kind this file does not compile. */
function delegated(node: ZodNode): Check {
  return (value) => {
    const result = node.safeParse(value);
    return result.success ? result.data : NOT_ACCEPTED;
  };
}

function isPromiseLike(value: object): boolean {
  const { then, catch: catchFn } = value as { then?: unknown; catch?: unknown };
  return typeof then === "function" && typeof catchFn === "function";
}

/** An object Zod would type as "object" and that this file can read key by key: a plain one. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !isPromiseLike(value);
}

type StringCheck = { kind: string; value?: unknown; regex?: RegExp; inclusive?: boolean };

function compileString(node: ZodNode): Check {
  const def = node._def as { coerce?: boolean; checks: StringCheck[] };
  if (def.coerce) return delegated(node);
  const steps: ((s: string) => string | typeof NOT_ACCEPTED)[] = [];
  for (const check of def.checks) {
    switch (check.kind) {
      case "min": {
        const min = check.value as number;
        steps.push((s) => (s.length < min ? NOT_ACCEPTED : s));
        break;
      }
      case "max": {
        const max = check.value as number;
        steps.push((s) => (s.length > max ? NOT_ACCEPTED : s));
        break;
      }
      case "length": {
        const length = check.value as number;
        steps.push((s) => (s.length !== length ? NOT_ACCEPTED : s));
        break;
      }
      case "regex": {
        const regex = check.regex as RegExp;
        steps.push((s) => {
          regex.lastIndex = 0;
          return regex.test(s) ? s : NOT_ACCEPTED;
        });
        break;
      }
      case "trim":
        steps.push((s) => s.trim());
        break;
      default:
        // uuid, email, datetime, …: Zod's own patterns, not restated here.
        return delegated(node);
    }
  }
  return (value) => {
    if (typeof value !== "string") return NOT_ACCEPTED;
    let s: string | typeof NOT_ACCEPTED = value;
    for (const step of steps) {
      s = step(s);
      if (s === NOT_ACCEPTED) return NOT_ACCEPTED;
    }
    return s;
  };
}

function compileNumber(node: ZodNode): Check {
  const def = node._def as { coerce?: boolean; checks: StringCheck[] };
  if (def.coerce) return delegated(node);
  const steps: ((n: number) => boolean)[] = [];
  for (const check of def.checks) {
    const bound = check.value as number;
    switch (check.kind) {
      case "int":
        steps.push((n) => Number.isInteger(n));
        break;
      case "min":
        steps.push(check.inclusive ? (n) => !(n < bound) : (n) => !(n <= bound));
        break;
      case "max":
        steps.push(check.inclusive ? (n) => !(n > bound) : (n) => !(n >= bound));
        break;
      case "finite":
        steps.push((n) => Number.isFinite(n));
        break;
      default:
        return delegated(node);
    }
  }
  return (value) => {
    if (typeof value !== "number" || Number.isNaN(value)) return NOT_ACCEPTED;
    for (const step of steps) if (!step(value)) return NOT_ACCEPTED;
    return value;
  };
}

function compileObject(node: ZodNode): Check {
  const def = node._def as { shape: () => Record<string, ZodNode>; unknownKeys: string; catchall: ZodNode };
  if ((def.catchall._def as { typeName?: string }).typeName !== "ZodNever" || !["strict", "strip", "passthrough"].includes(def.unknownKeys)) return delegated(node);
  const shape = def.shape();
  const keys = Object.keys(shape);
  const known = new Set(keys);
  const fields = keys.map((key) => ({ key, check: compileNode(shape[key] as ZodNode) }));
  const { unknownKeys } = def;
  return (value) => {
    if (!isPlainObject(value)) return NOT_ACCEPTED;
    let extra: string[] | undefined;
    if (unknownKeys !== "strip") {
      for (const key in value) {
        if (known.has(key)) continue;
        if (unknownKeys === "strict") return NOT_ACCEPTED;
        (extra ??= []).push(key);
      }
    }
    // As Zod builds it: the shape's keys in order, each set when its output is defined or the input has the key.
    const output: Record<string, unknown> = {};
    for (const { key, check } of fields) {
      const parsed = check(value[key]);
      if (parsed === NOT_ACCEPTED) return NOT_ACCEPTED;
      if (key !== "__proto__" && (parsed !== undefined || key in value)) output[key] = parsed;
    }
    for (const key of extra ?? []) if (key !== "__proto__") output[key] = value[key];
    return output;
  };
}

function compileEffects(node: ZodNode): Check {
  const def = node._def as {
    schema: ZodNode;
    effect: { type: "preprocess" | "transform"; transform: (value: unknown, ctx: EffectContext) => unknown } | { type: "refinement"; refinement: (value: unknown, ctx: EffectContext) => unknown };
  };
  const inner = compileNode(def.schema);
  const { effect } = def;
  // One context per node, reset before each call (effects run synchronously, one at a time).
  const ctx = effectContext();
  switch (effect.type) {
    case "preprocess":
      return (value) => {
        ctx.failed = false;
        const processed = effect.transform(value, ctx);
        return ctx.failed ? NOT_ACCEPTED : inner(processed);
      };
    case "refinement":
    case "transform": {
      // A refinement keeps the value, a transform gives its result; either fails on an issue, and
      // an asynchronous one is Zod's to refuse in a synchronous parse.
      const run = effect.type === "refinement" ? effect.refinement : effect.transform;
      const keepsValue = effect.type === "refinement";
      return (value) => {
        const parsed = inner(value);
        if (parsed === NOT_ACCEPTED) return NOT_ACCEPTED;
        ctx.failed = false;
        const result = run(parsed, ctx);
        if (ctx.failed || result instanceof Promise) return NOT_ACCEPTED;
        return keepsValue ? parsed : result;
      };
    }
    default:
      return delegated(node);
  }
}

function compileNode(node: ZodNode): Check {
  const def = node._def as { typeName?: string; [key: string]: unknown };
  switch (def.typeName) {
    case "ZodObject":
      return compileObject(node);
    case "ZodString":
      return compileString(node);
    case "ZodNumber":
      return compileNumber(node);
    case "ZodEnum": {
      const values = new Set(def.values as string[]);
      return (value) => (typeof value === "string" && values.has(value) ? value : NOT_ACCEPTED);
    }
    case "ZodOptional": {
      const inner = compileNode(def.innerType as ZodNode);
      return (value) => (value === undefined ? undefined : inner(value));
    }
    case "ZodNullable": {
      const inner = compileNode(def.innerType as ZodNode);
      return (value) => (value === null ? null : inner(value));
    }
    case "ZodEffects":
      return compileEffects(node);
    case "ZodPipeline": {
      const first = compileNode(def.in as ZodNode);
      const then = compileNode(def.out as ZodNode);
      return (value) => {
        const parsed = first(value);
        return parsed === NOT_ACCEPTED ? NOT_ACCEPTED : then(parsed);
      };
    }
    default:
      return delegated(node);
  }
}

/**
 * The compiled acceptance test of a record schema (an object at its root): `ok` with the output
 * Zod would give, or not (then ask Zod). The output is a fresh object the caller may extend.
 */
export function compileRecordSchema(schema: ZodNode): CompiledSchema {
  const check = compileNode(schema);
  return (value) => {
    const parsed = check(value);
    return parsed === NOT_ACCEPTED || !isPlainObject(parsed) ? { ok: false } : { ok: true, data: parsed };
  };
}
