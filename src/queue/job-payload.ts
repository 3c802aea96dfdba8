import { z } from 'zod';
import { JOB_KINDS, JOB_ROLES } from '../domain/job.js';

/**
 * What travels through Redis: ids, the kind, and the job's role in a flow (a cohort's parent runs after its
 * children and aggregates them). Parameters live in the Job row; images never leave the disk.
 */
export const queuePayloadSchema = z.object({ jobId: z.string().uuid(), kind: z.enum(JOB_KINDS), role: z.enum(JOB_ROLES) });
export type QueuePayload = z.infer<typeof queuePayloadSchema>;

export const CANCEL_CHANNEL_SUFFIX = ':cancel';
