import { z } from 'zod';
import type { Schemas } from '@/lib/api/client';
import { BUSINESS_TYPES, LEAD_STATUSES, type BusinessType, type LeadStatus } from './labels';
import { emailRule, gstinRule, optional, phoneRule, textRule, websiteRule, type Rule } from './rules';

export type Client = Schemas['ClientView'];
export type CreateClientBody = Schemas['CreateClientRequest'];
export type UpdateClientBody = Schemas['UpdateClientRequest'];

/** Every field of seed 001 as the form holds it: text, blank meaning "none". */
export interface ClientFormValues {
  companyName: string;
  contactEmail: string;
  contactName: string;
  phoneNumber: string;
  whatsappNumber: string;
  businessAddress: string;
  businessType: '' | BusinessType;
  gstNumber: string;
  website: string;
  leadStatus: LeadStatus;
  notes: string;
}

export type ClientField = keyof ClientFormValues;

export const CLIENT_FIELDS: readonly ClientField[] = [
  'companyName',
  'contactEmail',
  'contactName',
  'phoneNumber',
  'whatsappNumber',
  'businessAddress',
  'businessType',
  'gstNumber',
  'website',
  'leadStatus',
  'notes',
];

export const EMPTY_CLIENT_FORM: ClientFormValues = {
  companyName: '',
  contactEmail: '',
  contactName: '',
  phoneNumber: '',
  whatsappNumber: '',
  businessAddress: '',
  businessType: '',
  gstNumber: '',
  website: '',
  leadStatus: 'lead',
  notes: '',
};

const checked = (rule: Rule) =>
  z.string().superRefine((value, ctx) => {
    const message = rule(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });

/** The API's rules for each field (see `rules.ts`); `region` reads phone numbers without `+`. */
export function clientFormSchema(region: string) {
  const phone = optional(phoneRule(region));
  return z.object({
    companyName: checked(textRule(1, 200)),
    contactEmail: checked(emailRule),
    contactName: checked(optional(textRule(1, 100))),
    phoneNumber: checked(phone),
    whatsappNumber: checked(phone),
    businessAddress: checked(optional(textRule(1, 500, true))),
    businessType: z.union([z.literal(''), z.enum(BUSINESS_TYPES)], { error: `must be one of ${BUSINESS_TYPES.join(', ')}` }),
    gstNumber: checked(optional(gstinRule)),
    website: checked(optional(websiteRule)),
    leadStatus: z.enum(LEAD_STATUSES, { error: `must be one of ${LEAD_STATUSES.join(', ')}` }),
    notes: checked(optional(textRule(1, 5000, true))),
  }) satisfies z.ZodType<ClientFormValues>;
}

/** The form's values for an existing client. */
export function clientToForm(client: Client): ClientFormValues {
  return {
    companyName: client.companyName,
    contactEmail: client.contactEmail,
    contactName: client.contactName ?? '',
    phoneNumber: client.phoneNumber ?? '',
    whatsappNumber: client.whatsappNumber ?? '',
    businessAddress: client.businessAddress ?? '',
    businessType: client.businessType ?? '',
    gstNumber: client.gstNumber ?? '',
    website: client.website ?? '',
    leadStatus: client.leadStatus,
    notes: client.notes ?? '',
  };
}

const OPTIONAL_TEXT = [
  'contactName',
  'phoneNumber',
  'whatsappNumber',
  'businessAddress',
  'gstNumber',
  'website',
  'notes',
] as const;

/** A create request: trimmed, blank optional fields left out. */
export function toCreateBody(values: ClientFormValues): CreateClientBody {
  const body: CreateClientBody = {
    companyName: values.companyName.trim(),
    contactEmail: values.contactEmail.trim(),
    leadStatus: values.leadStatus,
  };
  for (const field of OPTIONAL_TEXT) {
    const value = values[field].trim();
    if (value !== '') body[field] = value;
  }
  if (values.businessType !== '') body.businessType = values.businessType;
  return body;
}

/** An update request with only the fields that changed; a cleared optional field is sent as null. */
export function toUpdateBody(values: ClientFormValues, before: ClientFormValues): UpdateClientBody {
  const body: UpdateClientBody = {};
  const changed = (field: ClientField) => values[field].trim() !== before[field].trim();
  if (changed('companyName')) body.companyName = values.companyName.trim();
  if (changed('contactEmail')) body.contactEmail = values.contactEmail.trim();
  if (changed('leadStatus')) body.leadStatus = values.leadStatus;
  if (changed('businessType')) {
    body.businessType = values.businessType === '' ? null : values.businessType;
  }
  for (const field of OPTIONAL_TEXT) {
    if (!changed(field)) continue;
    const value = values[field].trim();
    body[field] = value === '' ? null : value;
  }
  return body;
}
