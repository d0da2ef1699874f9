import { lazy, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider, useParams } from 'react-router';
import type { User } from '@/lib/api/client';
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
const UsersListRoute = lazy(() => import('./routes/users/users-list').then((m) => ({ default: m.UsersListRoute })));
const UserRoute = lazy(() => import('./routes/users/user').then((m) => ({ default: m.UserRoute })));
const ImportUsersRoute = lazy(() => import('./routes/users/import').then((m) => ({ default: m.ImportUsersRoute })));
const ActivityRoute = lazy(() => import('./routes/activity').then((m) => ({ default: m.ActivityRoute })));
const ModulesRoute = lazy(() => import('./routes/modules').then((m) => ({ default: m.ModulesRoute })));
const CompanyRoute = lazy(() => import('./routes/company').then((m) => ({ default: m.CompanyRoute })));

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

/** A screen for those `allowed`; the others are told what it needs. */
function Gate({ allowed, screen, needs, children }: { allowed: (user: User) => boolean; screen: string; needs: string; children: ReactNode }) {
  const user = useCurrentUser();
  if (!allowed(user)) return <ForbiddenRoute screen={screen} needs={needs} />;
  return children;
}

/** `/users/:id`: a positive id, else not found. */
function UserIdRoute() {
  const { userId = '' } = useParams();
  const id = /^\d{1,15}$/.test(userId) ? Number(userId) : null;
  if (id === null || id < 1) return <NotFoundRoute what="user" />;
  return <UserRoute userId={id} />;
}

const usersGate = (children: ReactNode) => (
  <Gate allowed={policies.viewUsers} screen="the users" needs="The users screens need the View Users permission (1).">
    {children}
  </Gate>
);

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
              { path: 'users', element: usersGate(<UsersListRoute />) },
              {
                path: 'users/import',
                element: (
                  <Gate allowed={policies.createUsers} screen="the import" needs="Importing users needs the Create Users permission (2).">
                    <ImportUsersRoute />
                  </Gate>
                ),
              },
              { path: 'users/:userId', element: usersGate(<UserIdRoute />) },
              {
                path: 'activity',
                element: (
                  <Gate allowed={policies.viewActivity} screen="the activity log" needs="The activity log needs the View Activity Logs permission (50).">
                    <ActivityRoute />
                  </Gate>
                ),
              },
              { path: 'modules', element: <ModulesRoute /> },
              {
                path: 'company',
                element: (
                  <Gate allowed={policies.viewOwnCompany} screen="a company workspace" needs="The company workspace is for a client's own admins.">
                    <CompanyRoute />
                  </Gate>
                ),
              },
              {
                path: 'company/:tab',
                element: (
                  <Gate allowed={policies.viewOwnCompany} screen="a company workspace" needs="The company workspace is for a client's own admins.">
                    <CompanyRoute />
                  </Gate>
                ),
              },
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
