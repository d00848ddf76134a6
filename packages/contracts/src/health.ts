import { z } from 'zod';

/** `status` for anyone; the details only where API docs are public or to signed-in staff. */
export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string().optional(),
  uptimeSeconds: z.number().optional(),
  database: z.enum(['postgres', 'embedded']).optional(),
});
export type Health = z.infer<typeof healthSchema>;
