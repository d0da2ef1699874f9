import { useEffect, useState } from 'react';
import { useNotify } from './use-notify';
import { useToast } from './use-toast';

/** Copies `value` to the clipboard and says so (the label turns to "Copied"). */
export function CopyButton({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const toast = useToast();
  const notify = useNotify();

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      toast({ title: `${label} copied` });
    } catch {
      notify({
        variant: 'error',
        title: 'Could not copy',
        message: `The browser refused access to the clipboard. Select the ${label.toLowerCase()} and copy it by hand.`,
      });
    }
  };

  return (
    <button
      type="button"
      className="button button--secondary button--small"
      onClick={() => void copy()}
      aria-label={`Copy ${label.toLowerCase()}`}
      data-testid={testId}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
