/**
 * Every page is its own chunk (route-level code splitting). A page the role may not use renders
 * "not allowed" without even loading its code.
 */
import type { Permission } from '@netflow/contracts';
import { Suspense, lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { Outlet, createBrowserRouter, type RouteObject } from 'react-router';
import { useCan } from './auth/AuthContext';
import { NotAllowedPage } from './pages/NotAllowedPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RouteErrorPage } from './pages/RouteErrorPage';
import { PageLoader } from './components/states';

type Page = LazyExoticComponent<ComponentType>;

const page = (load: () => Promise<{ default: ComponentType }>): Page => lazy(load);

const AppLayout = page(() => import('./layout/AppLayout'));
const Dashboard = page(() => import('./pages/dashboard/DashboardPage'));
const Leads = page(() => import('./pages/leads/LeadsPage'));
const LeadBoard = page(() => import('./pages/leads/LeadBoardPage'));
const LeadDetail = page(() => import('./pages/leads/LeadDetailPage'));
const Customers = page(() => import('./pages/customers/CustomersPage'));
const CustomerDetail = page(() => import('./pages/customers/CustomerDetailPage'));
const Plans = page(() => import('./pages/plans/PlansPage'));
const Payments = page(() => import('./pages/payments/PaymentsPage'));
const Tickets = page(() => import('./pages/tickets/TicketsPage'));
const TicketDetail = page(() => import('./pages/tickets/TicketDetailPage'));
const Users = page(() => import('./pages/users/UsersPage'));
const Audit = page(() => import('./pages/audit/AuditPage'));
const Profile = page(() => import('./pages/profile/ProfilePage'));
const SignIn = page(() => import('./pages/SignInPage'));
const Register = page(() => import('./pages/RegisterPage'));

function Guarded({ permission, component: Component }: { permission: Permission; component: Page }) {
  const can = useCan();
  if (!can(permission)) return <NotAllowedPage />;
  return <Component />;
}

const guarded = (path: string, permission: Permission, component: Page): RouteObject => ({
  path,
  element: <Guarded permission={permission} component={component} />,
});

function Root() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Outlet />
    </Suspense>
  );
}

export const routes: RouteObject[] = [
  {
    element: <Root />,
    errorElement: <RouteErrorPage />,
    children: [
      { path: '/sign-in', element: <SignIn /> },
      { path: '/register', element: <Register /> },
      {
        path: '/',
        element: <AppLayout />,
        children: [
          {
            errorElement: <RouteErrorPage />,
            children: [
        guarded('/', 'dashboard.read', Dashboard),
        guarded('/leads', 'leads.read', Leads),
        guarded('/leads/board', 'leads.read', LeadBoard),
        guarded('/leads/:id', 'leads.read', LeadDetail),
        guarded('/customers', 'customers.read', Customers),
        guarded('/customers/:id', 'customers.read', CustomerDetail),
        guarded('/plans', 'plans.read', Plans),
        guarded('/payments', 'payments.read', Payments),
        guarded('/tickets', 'tickets.read', Tickets),
        guarded('/tickets/:id', 'tickets.read', TicketDetail),
        guarded('/users', 'users.read', Users),
        guarded('/audit', 'audit.read', Audit),
        { path: '/profile', element: <Profile /> },
        { path: '*', element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];

export const createAppRouter = () => createBrowserRouter(routes);
