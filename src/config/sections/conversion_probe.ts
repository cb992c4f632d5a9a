import { z } from 'zod';
import { duration } from '../duration.js';
import { hostPort, httpUrl } from '../types.js';

const extension = z.string().regex(/^[a-z0-9]{1,10}$/, 'must be a file extension such as txt, docx or pdf');

/**
 * `conversion_probe`: a synthetic conversion through ConvertService on its own schedule. The source file is
 * `source_url`, or a tiny text file the exporter serves itself on `source_listen` (reached by DS as `source_base_url`).
 */
export const conversionProbeSection = z
  .object({
    /**
     * Run it. DS 9.x fetches from private addresses only for JWT-signed requests: set documentserver.jwt (or
     * ALLOW_PRIVATE_IP_ADDRESS=true in DS).
     */
    enabled: z.boolean().default(false),
    /** Pause between two runs. */
    interval: duration.default('5m'),
    /** Longest run; not longer than interval (runs never overlap). */
    timeout: duration.default('60s'),
    /** Pause between two polls of the same conversion. */
    poll_interval: duration.default('1s'),
    /** A file DS fetches and converts; else the built-in text file. */
    source_url: httpUrl.optional(),
    /** Where the built-in source is served; port 0 picks a free one. */
    source_listen: hostPort.default('127.0.0.1:0'),
    /** How DS reaches `source_listen` (e.g. http://host.docker.internal:9877); default http://<source_listen>. */
    source_base_url: httpUrl.optional(),
    /** Extension of the source; default: from source_url, txt for the built-in file. */
    filetype: extension.optional(),
    /** Extension DS converts to. */
    outputtype: extension.default('docx'),
  })
  .strict()
  .superRefine((section, ctx) => {
    if (section.timeout > section.interval) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['timeout'],
        message: 'must not be longer than conversion_probe.interval (runs never overlap)',
      });
    }
    if (section.poll_interval >= section.timeout) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['poll_interval'],
        message: 'must be shorter than conversion_probe.timeout',
      });
    }
    if (section.source_url !== undefined && section.source_base_url !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['source_base_url'],
        message: 'give either source_url (a file DS fetches) or source_base_url (the built-in file), not both',
      });
    }
    // A source_url that failed its own check arrives here as a non-string: it is already reported.
    if (
      typeof section.source_url === 'string' &&
      section.filetype === undefined &&
      extensionOf(section.source_url) === undefined
    ) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['filetype'],
        message: 'cannot be told from source_url: set it (e.g. docx)',
      });
    }
  });

/** `docx` for .../file.docx?x=1; undefined when the path has no extension. */
export function extensionOf(url: string): string | undefined {
  try {
    const match = /\.([A-Za-z0-9]{1,10})$/.exec(new URL(url).pathname);
    return match ? match[1]!.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

export type ConversionProbeConfig = z.infer<typeof conversionProbeSection>;
