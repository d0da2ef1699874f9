import { z } from 'zod';
import type { Schemas } from '@/lib/api/client';
import { textRule } from './rules';

/** An adjustment as the form holds it: a direction and a positive amount. */
export interface CreditFormValues {
  direction: 'add' | 'deduct';
  amount: string;
  reason: string;
}

export const CREDIT_FIELDS = ['amount', 'reason'] as const;
const MAX = 1_000_000_000;
const reasonRule = textRule(1, 500);

/** The API's rules: a whole, non-zero change of at most 1,000,000,000 either way, and a reason of 1–500 characters. */
export const creditSchema = z.object({
  direction: z.enum(['add', 'deduct']),
  amount: z.string().superRefine((value, ctx) => {
    const s = value.trim();
    if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > MAX) {
      ctx.addIssue({ code: 'custom', message: 'must be a whole number from 1 to 1,000,000,000' });
    }
  }),
  reason: z.string().superRefine((value, ctx) => {
    const message = reasonRule(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  }),
}) satisfies z.ZodType<CreditFormValues>;

export function toCreditBody(values: CreditFormValues): Schemas['CreditAdjustment'] {
  const amount = Number(values.amount.trim());
  return { delta: values.direction === 'add' ? amount : -amount, reason: values.reason.trim() };
}
