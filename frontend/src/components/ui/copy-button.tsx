import { useEffect, useState } from 'react';
import { useNotify } from './use-notify';

/**
 * Copies `value` to the clipboard and says so: the button reads "Copied" and a
 * polite status announces it (no toast: inside a dialog a toast would take the
 * first Escape).
 */
export function CopyButton({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const notify = useNotify();

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2500);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      notify({
        variant: 'error',
        title: 'Could not copy',
        message: `The browser refused access to the clipboard. Select the ${label.toLowerCase()} and copy it by hand.`,
      });
    }
  };

  return (
    <>
      <button
        type="button"
        className="button button--secondary button--small copy-button"
        onClick={() => void copy()}
        aria-label={`Copy ${label.toLowerCase()}`}
        data-testid={testId}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      <span className="visually-hidden" role="status">
        {copied ? `${label} copied` : ''}
      </span>
    </>
  );
}
