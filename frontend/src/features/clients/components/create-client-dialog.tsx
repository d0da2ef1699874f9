import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { useCreateClient, type ClientCredentialsResponse } from '../api/create-client';
import { EMPTY_CLIENT_FORM, toCreateBody } from '../client-form-schema';
import { ClientForm } from './client-form';
import { CredentialsDialog } from '@/components/ui/credentials-dialog';

/** "New client": the form, then the owner's one-time credentials. */
export function CreateClientButton() {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<ClientCredentialsResponse | null>(null);
  const create = useCreateClient();
  const opener = useRef<HTMLButtonElement>(null);

  return (
    <>
      <Button ref={opener} onClick={() => setOpen(true)} data-testid="new-client">
        New client
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="New client"
        description="The client's owner account is created with it; its credentials are shown once."
        size="wide"
        testId="create-client-dialog"
      >
        <ClientForm
          defaultValues={EMPTY_CLIENT_FORM}
          submitLabel="Create client"
          failureTitle="Client not created"
          onCancel={() => setOpen(false)}
          onSubmit={async (values) => {
            const result = await create.mutateAsync(toCreateBody(values));
            setOpen(false);
            setCreated(result);
          }}
        />
      </Dialog>
      {created && (
        <CredentialsDialog
          title="Client created: its credentials"
          subject={`${created.client.companyName} (${created.client.accountNumber})`}
          credentials={created.credentials}
          share={created.share}
          onClose={() => setCreated(null)}
          returnFocus={opener}
        />
      )}
    </>
  );
}
