import { z } from 'zod';

/**
 * A config value given either as a short string or as a mapping: `x: "host:port"` means `x: { <key>: "host:port" }`.
 * Unlike z.union, problems are reported against the form the user wrote (never a bare "Invalid input").
 * `false` passes through when `allowFalse` (to leave an item out).
 */
export function shorthand<T extends z.ZodTypeAny>(
  schema: T,
  key: string,
  allowFalse: true,
): z.ZodEffects<z.ZodUnknown, z.output<T> | false, unknown>;
export function shorthand<T extends z.ZodTypeAny>(
  schema: T,
  key: string,
  allowFalse?: false,
): z.ZodEffects<z.ZodUnknown, z.output<T>, unknown>;
export function shorthand<T extends z.ZodTypeAny>(schema: T, key: string, allowFalse = false) {
  return z.unknown().transform((value, ctx) => {
    if (allowFalse && value === false) return false;
    const short = typeof value === 'string';
    const result = schema.safeParse(short ? { [key]: value } : value);
    if (result.success) return result.data as z.output<T>;
    for (const issue of result.error.issues) {
      const path = short && issue.path[0] === key ? issue.path.slice(1) : issue.path;
      if (!short && issue.code === 'invalid_type' && issue.path.length === 0) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `expected a string or a mapping${allowFalse ? ' (or false)' : ''}, got ${issue.received}`,
        });
        continue;
      }
      ctx.addIssue({ ...issue, path } as z.IssueData);
    }
    return z.NEVER;
  });
}
