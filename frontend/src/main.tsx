import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '@/app/app';
import { ConfigErrorPage } from '@/app/config-error';
import { loadConfig, type AppConfig } from '@/config/env';
import { configureApi } from '@/lib/api/client';
import { tokenStore } from '@/lib/token-store';
import '@/styles/index.css';
import '@/styles/app.css';

const root = createRoot(document.getElementById('root')!);

let config: AppConfig | null = null;
try {
  config = loadConfig();
} catch (error) {
  root.render(<ConfigErrorPage message={error instanceof Error ? error.message : String(error)} />);
}

if (config) {
  configureApi({ baseUrl: config.apiBaseUrl, tokens: tokenStore });
  document.documentElement.dataset.apiBaseUrl = config.apiBaseUrl;
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
