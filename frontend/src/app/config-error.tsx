/** Shown instead of the app when its configuration is unusable (see `config/env.ts`). */
export function ConfigErrorPage({ message }: { message: string }) {
  return (
    <main className="full-page-center">
      <div className="card narrow" role="alert" data-testid="config-error">
        <h1 className="card__title">Clientele cannot start</h1>
        <p>The dashboard is misconfigured:</p>
        <pre className="code">{message}</pre>
        <p className="muted">Fix the build-time variable and rebuild the frontend.</p>
      </div>
    </main>
  );
}
