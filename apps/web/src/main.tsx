import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './index.css';
import { MantineProvider } from '@mantine/core';
import { Notifications, notifications } from '@mantine/notifications';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { useSession, useSessionExpiry } from './auth/AuthContext';
import { AppRoutes } from './routes';
import { theme } from './theme';
import { TRPCProvider, makeClients } from './trpc';

/** When the session ends (sign-out, 401, expiry), forget everything loaded under it. */
function SessionWatcher({ queryClient }: { queryClient: QueryClient }) {
  const session = useSession();
  useSessionExpiry();
  useEffect(() => {
    if (!session) {
      queryClient.clear();
      notifications.clean();
    }
  }, [session, queryClient]);
  return null;
}

function Root() {
  const [{ queryClient, trpcClient }] = useState(makeClients);
  // Light or dark as the system is set, following it when it changes.
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <Notifications position="bottom-right" zIndex={1000} limit={3} />
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <SessionWatcher queryClient={queryClient} />
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </TRPCProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('#root missing from index.html');
createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
