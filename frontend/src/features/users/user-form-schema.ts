import { z } from 'zod';
import { emailRule, passwordLengthRule, textRule, usernameRule, type Rule } from '@/lib/field-rules';
import { ROLES, type Role } from '@/lib/authorization';
import type { CreateUserInput } from './api/create-user';
import type { ManagedUser } from './api/list-users';
import type { UpdateUserInput } from './api/update-user';

/** The create and edit forms' fields, as the form holds them. */
export interface UserFormValues {
  name: string;
  username: string;
  email: string;
  role: Role;
  /** A client's id as typed or chosen; '' for none (the operator's staff). */
  companyId: string;
  isActive: boolean;
  /** `all`: every module active for the client (the API's default); `chosen`: the ticked ones. */
  modulesMode: 'all' | 'chosen';
  modules: string[];
  /** Create only. */
  password: string;
  /** Create only. */
  permissions: number[];
}

export const USER_FORM_FIELDS = ['name', 'username', 'email', 'role', 'companyId', 'isActive', 'modules', 'password', 'permissions'] as const;

export const isClientRole = (role: Role) => role === 'user' || role === 'client_admin';

const checked = (rule: Rule) =>
  z.string().superRefine((value, ctx) => {
    const message = rule(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/**
 * The API's rules (backend/src/domain, services/users.rs) with its messages:
 * a name of 1–100 characters, a username of 3–64, an optional e-mail, a
 * password of 8–128 characters on create, and a client for client users only.
 */
export function userFormSchema(options: { creating: boolean; chooseCompany: boolean }) {
  return z
    .object({
      name: checked(textRule(1, 100)),
      username: checked(usernameRule),
      email: z.string().superRefine((value, ctx) => {
        if (value.trim() === '') return;
        const message = emailRule(value);
        if (message) ctx.addIssue({ code: 'custom', message });
      }),
      role: z.enum(ROLES as [Role, ...Role[]], { error: 'must be one of user, client_admin, admin, super_admin' }),
      companyId: z.string(),
      isActive: z.boolean(),
      modulesMode: z.enum(['all', 'chosen']),
      modules: z.array(z.string()),
      password: options.creating ? checked(passwordLengthRule) : z.string(),
      permissions: z.array(z.number()),
    })
    .superRefine((values, ctx) => {
      if (!options.chooseCompany) return;
      const company = values.companyId.trim();
      if (isClientRole(values.role) && company === '') {
        ctx.addIssue({ code: 'custom', path: ['companyId'], message: 'is required for client users (roles user and client_admin)' });
      } else if (company !== '' && !/^\d{1,15}$/.test(company)) {
        ctx.addIssue({ code: 'custom', path: ['companyId'], message: 'must be a client id' });
      }
    }) satisfies z.ZodType<UserFormValues>;
}

const company = (values: UserFormValues): number | null =>
  isClientRole(values.role) && values.companyId.trim() !== '' ? Number(values.companyId.trim()) : null;

/** The body of `POST /api/users-management`. Client-side callers leave the company to the API (their own). */
export function toCreateBody(values: UserFormValues, chooseCompany: boolean): CreateUserInput {
  const body: CreateUserInput = {
    name: values.name.trim(),
    username: values.username.trim(),
    password: values.password,
    role: values.role,
    isActive: values.isActive,
    permissions: values.permissions,
  };
  const email = values.email.trim();
  if (email !== '') body.email = email;
  if (chooseCompany) {
    const id = company(values);
    if (id !== null) body.companyId = id;
  }
  if (isClientRole(values.role) && values.modulesMode === 'chosen') body.modules = values.modules;
  return body;
}

/** The form's starting values for a user being edited. */
export function editValues(user: ManagedUser): UserFormValues {
  return {
    name: user.name,
    username: user.username,
    email: user.email ?? '',
    role: user.role,
    companyId: user.companyId == null ? '' : String(user.companyId),
    isActive: user.isActive,
    modulesMode: 'chosen',
    modules: user.modules,
    password: '',
    permissions: user.permissions,
  };
}

/** The body of `PUT /api/users-management/{id}`: only what changed is sent. */
export function toUpdateBody(values: UserFormValues, before: ManagedUser, chooseCompany: boolean): UpdateUserInput {
  const body: UpdateUserInput = {};
  const name = values.name.trim();
  if (name !== before.name) body.name = name;
  const username = values.username.trim().toLowerCase();
  if (username !== before.username) body.username = username;
  const email = values.email.trim();
  if (email !== (before.email ?? '')) body.email = email === '' ? null : email;
  if (values.role !== before.role) body.role = values.role;
  if (values.isActive !== before.isActive) body.isActive = values.isActive;
  if (chooseCompany) {
    const id = company(values);
    if (id !== (before.companyId ?? null)) body.companyId = id;
  }
  if (isClientRole(values.role)) {
    if (values.modulesMode === 'all') {
      body.modules = null;
    } else {
      const same = values.modules.length === before.modules.length && values.modules.every((m) => before.modules.includes(m));
      if (!same) body.modules = values.modules;
    }
  }
  return body;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password of `length` characters from an alphabet without look-alikes. */
export function generatePassword(length = 16): string {
  const bytes = new Uint32Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}
