/**
 * Reading a JSON column whose shape the database does not enforce (evidence, location, contact…): the keys that fit
 * the schema's shape are kept, a key of another type (an older or a foreign shape) is left out, so that an answer
 * always passes its procedure's output schema instead of failing on one odd row.
 */
import type { z } from "zod";

export function storedShape<S extends z.ZodObject>(schema: S, value: unknown): z.infer<S> {
  const out: Record<string, unknown> = {};
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const parsed = field.safeParse((value as Record<string, unknown>)[key]);
      if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
    }
  }
  return schema.parse(out) as z.infer<S>;
}
