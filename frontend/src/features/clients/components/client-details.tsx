import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { useToast } from '@/components/ui/use-toast';
import { formatDateTime, formatNumber } from '@/lib/format';
import type { Client } from '../api/get-client';
import { useUpdateClient } from '../api/update-client';
import { clientToForm, toUpdateBody } from '../client-form-schema';
import { BUSINESS_TYPE_LABELS, LEAD_STATUS_LABELS } from '../labels';
import { ClientForm } from './client-form';

function Fact({ label, children, wide = false }: { label: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'facts__wide' : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const none = <span className="muted">—</span>;

/** The client's fields, and (for editors) the form that changes them. */
export function ClientDetails({ client, canEdit }: { client: Client; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateClient(client.id);
  const toast = useToast();

  if (editing) {
    const before = clientToForm(client);
    return (
      <section aria-labelledby="edit-client-title" data-testid="client-edit">
        <h2 id="edit-client-title" className="card__title">
          Edit details
        </h2>
        <ClientForm
          defaultValues={before}
          submitLabel="Save changes"
          failureTitle="Changes not saved"
          requireChanges
          testId="client-edit-form"
          onCancel={() => setEditing(false)}
          onSubmit={async (values) => {
            await update.mutateAsync(toUpdateBody(values, before));
            setEditing(false);
            toast({ title: 'Client saved', description: `${values.companyName.trim()} has been updated.` });
          }}
        />
      </section>
    );
  }

  return (
    <section aria-labelledby="client-details-title" data-testid="client-details">
      <div className="section-head">
        <h2 id="client-details-title" className="card__title">
          Details
        </h2>
        {canEdit && (
          <Button variant="secondary" className="button--small" onClick={() => setEditing(true)} data-testid="edit-client">
            Edit details
          </Button>
        )}
      </div>
      <dl className="facts facts--three">
        <Fact label="Company name">{client.companyName}</Fact>
        <Fact label="Account number">
          <span className="mono">{client.accountNumber}</span>
        </Fact>
        <Fact label="Owner username">{client.username ?? none}</Fact>
        <Fact label="Contact e-mail">{client.contactEmail}</Fact>
        <Fact label="Contact name">{client.contactName ?? none}</Fact>
        <Fact label="Phone number">{client.phoneNumber ?? none}</Fact>
        <Fact label="WhatsApp number">{client.whatsappNumber ?? none}</Fact>
        <Fact label="Business type">{client.businessType ? BUSINESS_TYPE_LABELS[client.businessType] : none}</Fact>
        <Fact label="GST number">{client.gstNumber ? <span className="mono">{client.gstNumber}</span> : none}</Fact>
        <Fact label="Website">
          {client.website ? (
            <a href={client.website} target="_blank" rel="noopener noreferrer nofollow">
              {client.website}
            </a>
          ) : (
            none
          )}
        </Fact>
        <Fact label="Lead status">{LEAD_STATUS_LABELS[client.leadStatus]}</Fact>
        <Fact label="Credits">{formatNumber(client.credits)}</Fact>
        <Fact label="Last login">{formatDateTime(client.lastLogin)}</Fact>
        <Fact label="Created">{formatDateTime(client.createdAt)}</Fact>
        <Fact label="Updated">{formatDateTime(client.updatedAt)}</Fact>
        <Fact label="Business address" wide>
          {client.businessAddress ? <span className="pre-line">{client.businessAddress}</span> : none}
        </Fact>
        <Fact label="Notes" wide>
          {client.notes ? <span className="pre-line">{client.notes}</span> : none}
        </Fact>
      </dl>
    </section>
  );
}
