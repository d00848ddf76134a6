import { z } from 'zod';

export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.number(),
  database: z.enum(['postgres', 'embedded']),
});
export type Health = z.infer<typeof healthSchema>;
