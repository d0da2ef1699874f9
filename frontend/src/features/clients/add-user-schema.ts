import { z } from 'zod';
import type { Schemas } from '@/lib/api/client';
import { emailRule, textRule, type Rule } from './rules';

/** Seed 000's "Add New User": a client user's name, e-mail and role (never staff). */
export interface AddUserValues {
  name: string;
  email: string;
  role: 'user' | 'client_admin';
}

export const ADD_USER_FIELDS = ['name', 'email', 'role'] as const;

export const ROLE_OPTIONS = [
  { value: 'user', label: 'User' },
  { value: 'client_admin', label: 'Client admin' },
] as const;

const checked = (rule: Rule) =>
  z.string().superRefine((value, ctx) => {
    const message = rule(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** The API's rules: a person's name of 1–100 characters, an e-mail address, user or client_admin. */
export const addUserSchema = z.object({
  name: checked(textRule(1, 100)),
  email: checked(emailRule),
  role: z.enum(['user', 'client_admin'], { error: 'must be user or client_admin' }),
}) satisfies z.ZodType<AddUserValues>;

export function toAddUserBody(values: AddUserValues): Schemas['AddClientUserRequest'] {
  return { name: values.name.trim(), email: values.email.trim(), role: values.role };
}
