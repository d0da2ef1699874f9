import { describe, expect, it } from 'vitest';
import { clientToForm, toUpdateBody } from './client-form-schema';

const client = {
  id: 1,
  accountNumber: 'ACC001',
  companyName: 'ABC Store',
  contactEmail: 'abc@store.com',
  contactName: 'Asha Rao',
  phoneNumber: '+917093635305',
  whatsappNumber: null,
  businessAddress: null,
  businessType: 'retail' as const,
  gstNumber: null,
  website: null,
  leadStatus: 'lead' as const,
  notes: null,
  credits: 0,
  isActive: true,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('toUpdateBody', () => {
  it('sends nothing when nothing changed', () => {
    const before = clientToForm(client);
    expect(toUpdateBody(before, before)).toEqual({});
  });

  it('sends only what changed, and a cleared field as null', () => {
    const before = clientToForm(client);
    const after = { ...before, contactName: '  ', leadStatus: 'customer' as const, notes: 'Signed', businessType: '' as const };
    expect(toUpdateBody(after, before)).toEqual({ contactName: null, leadStatus: 'customer', notes: 'Signed', businessType: null });
  });
});
