import { lazy, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useParams } from 'react-router';
import { policies } from '@/lib/authorization';
import { useCurrentUser } from './current-user';
import { AppShell } from './routes/app-shell';
import { ChangePasswordRoute } from './routes/change-password';
import { CLIENT_TABS } from './routes/clients/client-tabs';
import { ForbiddenRoute } from './routes/forbidden';
import { LoginRoute } from './routes/login';
import { NotFoundRoute } from './routes/not-found';
import { ProfileRoute } from './routes/profile';
import { RequireAuth } from './routes/require-auth';
import { RootLayout } from './routes/root-layout';
import { RouteErrorPage } from './routes/route-error';

// The screens with heavy libraries (charts; phone-number metadata) load when first opened.
const DashboardRoute = lazy(() => import('./routes/dashboard').then((m) => ({ default: m.DashboardRoute })));
const ClientsListRoute = lazy(() => import('./routes/clients/clients-list').then((m) => ({ default: m.ClientsListRoute })));
const ClientRoute = lazy(() => import('./routes/clients/client').then((m) => ({ default: m.ClientRoute })));

/** The clients screens are for operator staff holding View Customers (20). */
function ClientsGate({ children }: { children: ReactNode }) {
  const user = useCurrentUser();
  if (!policies.viewClients(user)) {
    return (
      <ForbiddenRoute
        screen="the clients"
        needs="Managing clients is for the operator's staff with the View Customers permission."
      />
    );
  }
  return children;
}

/** `/clients/:id` is its first tab; an unknown tab is not found. */
function ClientTabRoute() {
  const { clientId = '', tab } = useParams();
  const id = /^\d{1,15}$/.test(clientId) ? Number(clientId) : null;
  if (id === null || id < 1) return <NotFoundRoute what="client" />;
  if (tab === undefined) return <Navigate to={`/clients/${id}/${CLIENT_TABS[0].id}`} replace />;
  const known = CLIENT_TABS.find((t) => t.id === tab);
  if (!known) return <NotFoundRoute what="page" />;
  return <ClientRoute clientId={id} tab={known.id} />;
}

const router = createBrowserRouter([
  {
    element: <RootLayout />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: 'login', element: <LoginRoute /> },
      { path: 'change-password', element: <ChangePasswordRoute /> },
      {
        element: <RequireAuth />,
        children: [
          {
            element: <AppShell />,
            children: [
              { index: true, element: <DashboardRoute /> },
              { path: 'clients', element: <ClientsGate><ClientsListRoute /></ClientsGate> },
              { path: 'clients/:clientId', element: <ClientsGate><ClientTabRoute /></ClientsGate> },
              { path: 'clients/:clientId/:tab', element: <ClientsGate><ClientTabRoute /></ClientsGate> },
              { path: 'profile', element: <ProfileRoute /> },
              { path: '*', element: <NotFoundRoute /> },
            ],
          },
        ],
      },
    ],
  },
]);

/** Every screen has a URL (React Router): reload, deep links and the back button work. */
export function AppRouter() {
  return <RouterProvider router={router} />;
}
