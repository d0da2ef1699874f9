import { createContext } from 'react';
import type { ModalVariant } from './modal';

export interface Notification {
  variant: ModalVariant;
  title: string;
  message: string;
  /** Per-field messages (the API's `details`), listed under the message. */
  details?: Record<string, string[]>;
  /** Offer to try the failed action again from the modal. */
  retry?: () => void;
}

export type Notify = (notification: Notification) => void;

export const NotifyContext = createContext<Notify | null>(null);
