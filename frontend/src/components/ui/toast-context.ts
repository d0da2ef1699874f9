import { createContext } from 'react';

export interface Toast {
  title: string;
  description?: string;
  variant?: 'success' | 'info';
}

export type ShowToast = (toast: Toast) => void;

export const ToastContext = createContext<ShowToast | null>(null);
