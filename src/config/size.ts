import { z } from 'zod';

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/;

/** Parses a size such as "1MiB", "500KB", "1.5GB" or "4096" (bytes) into a whole number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * UNIT_BYTES[match[2] ?? 'B']!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Zod type for a size given as "1MiB" (or a number of bytes); yields bytes, 0 allowed. */
export const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes =
    typeof value === 'number' ? (Number.isSafeInteger(value) && value >= 0 ? value : undefined) : parseSize(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `"${value}" is not a size such as 1MiB, 500KB or 4096 (bytes)`,
    });
    return z.NEVER;
  }
  return bytes;
});
