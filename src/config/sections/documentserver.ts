import { z } from 'zod';
import { duration } from '../duration.js';
import { httpUrl } from '../types.js';

/** `documentserver`: the DS this exporter watches on /metrics (and the settings /probe reuses). */
export const documentserverSection = z
  .object({
    /** docservice itself (http://host:8000) or the DS root behind its own nginx. */
    url: httpUrl.default('http://127.0.0.1'),
    /** The address users use, through the reverse proxy. */
    public_url: httpUrl.optional(),
    /** DS's inbox JWT: commands are signed in the body and in `header`. Off when absent. */
    jwt: z
      .object({
        /** DS's JWT secret (`JWT_SECRET` of the Docker image; `documentserver-jwt-status.sh` prints it). */
        secret: z.string().min(1, 'must not be empty'),
        /** The header DS reads the token from (`JWT_HEADER`). */
        header: z.string().min(1).default('Authorization'),
        /** services.CoAuthoring.secret.browser: signs the editors' token checked on the co-editing WebSocket (7.3+); default `secret`. */
        browser_secret: z.string().min(1, 'must not be empty').optional(),
      })
      .strict()
      .optional(),
    /** Longest wait for one request to DS; the scrape deadline still applies. */
    timeout: duration.default('10s'),
    /** Accept any TLS certificate on https URLs (the TLS collector still reports it). */
    insecure_skip_verify: z.boolean().default(false),
    /** Largest response body read from DS; bigger bodies count as a failed request. */
    max_body_bytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
  })
  .strict();

export type DocumentServerConfig = z.infer<typeof documentserverSection>;
