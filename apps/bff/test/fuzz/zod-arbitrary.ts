import fc from "fast-check";
import { z } from "zod";
import { oddStrings } from "./odd-values.js";

/**
 * Values a Zod schema accepts, as a fast-check arbitrary: the fuzz suite's valid requests come
 * from the contracts' own schemas. Covers the schema kinds the contracts use; refinements and
 * transforms are generated from their inner schema, and the caller filters the result through
 * the schema itself. `hints` gives, by object key, values worth trying often (the demo data's
 * customers, organisations, category ids) so valid requests reach the handlers' happy paths.
 */
export type Hints = ReadonlyMap<string, readonly unknown[]>;

/** Longest array a valid value gets (a catalogue may take 1,000 valid values; five say as much). */
const MAX_ARRAY = 5;

export function arbitraryOf(schema: z.ZodTypeAny, hints: Hints = new Map()): fc.Arbitrary<unknown> {
  const def = schema._def as { typeName?: string } & Record<string, unknown>;
  switch (def.typeName) {
    case z.ZodFirstPartyTypeKind.ZodObject:
      return objectArbitrary(schema as z.AnyZodObject, hints);
    case z.ZodFirstPartyTypeKind.ZodString:
      return stringArbitrary(schema as z.ZodString);
    case z.ZodFirstPartyTypeKind.ZodNumber:
      return numberArbitrary(schema as z.ZodNumber);
    case z.ZodFirstPartyTypeKind.ZodBoolean:
      return fc.boolean();
    case z.ZodFirstPartyTypeKind.ZodEnum:
      return fc.constantFrom(...(schema as z.ZodEnum<[string, ...string[]]>).options);
    case z.ZodFirstPartyTypeKind.ZodLiteral:
      return fc.constant((schema as z.ZodLiteral<unknown>).value);
    case z.ZodFirstPartyTypeKind.ZodOptional:
      return fc.option(arbitraryOf((schema as z.ZodOptional<z.ZodTypeAny>).unwrap(), hints), { nil: undefined });
    case z.ZodFirstPartyTypeKind.ZodNullable:
      return fc.option(arbitraryOf((schema as z.ZodNullable<z.ZodTypeAny>).unwrap(), hints), { nil: null });
    case z.ZodFirstPartyTypeKind.ZodDefault:
      return arbitraryOf((schema as z.ZodDefault<z.ZodTypeAny>).removeDefault(), hints);
    case z.ZodFirstPartyTypeKind.ZodEffects:
      return arbitraryOf((schema as z.ZodEffects<z.ZodTypeAny>).innerType(), hints);
    case z.ZodFirstPartyTypeKind.ZodPipeline:
      return arbitraryOf((schema as z.ZodPipeline<z.ZodTypeAny, z.ZodTypeAny>)._def.in, hints);
    case z.ZodFirstPartyTypeKind.ZodUnion:
      return fc.oneof(...(schema as z.ZodUnion<[z.ZodTypeAny, ...z.ZodTypeAny[]]>).options.map((option) => arbitraryOf(option, hints)));
    case z.ZodFirstPartyTypeKind.ZodArray: {
      const array = schema as z.ZodArray<z.ZodTypeAny>;
      const minLength = array._def.minLength?.value ?? 0;
      const maxLength = Math.min(array._def.maxLength?.value ?? MAX_ARRAY, Math.max(minLength, MAX_ARRAY));
      return fc.array(arbitraryOf(array.element, hints), { minLength, maxLength });
    }
    case z.ZodFirstPartyTypeKind.ZodRecord:
      return fc.dictionary(fc.string({ maxLength: 8 }), arbitraryOf((schema as z.ZodRecord).valueSchema, hints), { maxKeys: 3 });
    case z.ZodFirstPartyTypeKind.ZodNull:
      return fc.constant(null);
    case z.ZodFirstPartyTypeKind.ZodUndefined:
      return fc.constant(undefined);
    case z.ZodFirstPartyTypeKind.ZodUnknown:
    case z.ZodFirstPartyTypeKind.ZodAny:
      return fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`the fuzz suite cannot generate values of ${def.typeName ?? "an unknown schema"}: teach zod-arbitrary.ts this kind`);
  }
}

function objectArbitrary(schema: z.AnyZodObject, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const shape = schema.shape as Record<string, z.ZodTypeAny>;
  const entries = Object.entries(shape).map(([key, field]) => {
    const optional = field.isOptional();
    const required = optional ? unwrapOptional(field) : field;
    const generated = arbitraryOf(required, hints);
    const hinted = hints.get(key);
    const value = hinted ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...hinted) }, { weight: 1, arbitrary: generated }) : generated;
    return { key, optional, value };
  });
  return fc
    .tuple(...entries.map(({ optional, value }) => (optional ? fc.option(value, { nil: undefined, freq: 2 }) : value)))
    .map((values) => {
      const out: Record<string, unknown> = {};
      entries.forEach(({ key }, i) => {
        if (values[i] !== undefined) out[key] = values[i];
      });
      return out;
    });
}

/** The schema an optional (or defaulted) field holds when it is given. */
function unwrapOptional(field: z.ZodTypeAny): z.ZodTypeAny {
  if (field instanceof z.ZodOptional) return field.unwrap() as z.ZodTypeAny;
  if (field instanceof z.ZodDefault) return field.removeDefault() as z.ZodTypeAny;
  return field;
}

function stringArbitrary(schema: z.ZodString): fc.Arbitrary<string> {
  let minLength = 0;
  let maxLength = 64;
  let base: fc.Arbitrary<string> | undefined;
  for (const check of schema._def.checks) {
    switch (check.kind) {
      case "min":
        minLength = check.value;
        break;
      case "max":
        maxLength = Math.min(check.value, 256);
        break;
      case "length":
        minLength = maxLength = check.value;
        break;
      case "regex":
        // fast-check takes no flags; what matches without `i` matches with it.
        base = fc.stringMatching(new RegExp(check.regex.source));
        break;
      case "uuid":
        base = fc.uuid();
        break;
      case "datetime":
        base = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }).map((d) => d.toISOString());
        break;
      default:
        throw new Error(`the fuzz suite cannot generate strings with a ${check.kind} check: teach zod-arbitrary.ts this check`);
    }
  }
  // Free text gets the odd strings too (NUL, lone surrogates, RTL marks…): valid to the schema, they must be stored or refused cleanly.
  const odd = oddStrings.filter((s) => s.length >= minLength && s.length <= maxLength);
  const strings =
    base ??
    fc.oneof(
      fc.string({ minLength, maxLength }),
      fc.string({ unit: "grapheme", minLength, maxLength }),
      fc.string({ unit: "binary", minLength, maxLength }),
      ...(odd.length > 0 ? [fc.constantFrom(...odd)] : []),
    );
  return strings.filter((s) => s.length >= minLength && s.length <= Math.max(maxLength, minLength));
}

function numberArbitrary(schema: z.ZodNumber): fc.Arbitrary<number> {
  const int = schema.isInt;
  const min = schema.minValue ?? (int ? -(2 ** 31) : -1e9);
  const max = schema.maxValue ?? (int ? 2 ** 31 - 1 : 1e9);
  return int ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}
