import { z } from 'zod';
import { httpUrl } from '../types.js';

/** `probe`: which targets `/probe?target=` may reach; nothing else is ever contacted (no open proxy). */
export const probeSection = z.object({
  targets: z.array(httpUrl).default([]),
}).strict();

export type ProbeConfig = z.infer<typeof probeSection>;
