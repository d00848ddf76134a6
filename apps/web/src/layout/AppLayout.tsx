/**
 * The signed-in area: checks the session, loads the current user, and frames every page with the
 * header and the permission-driven navigation. No session → sign-in (remembering where to return).
 */
import { AppShell, Avatar, Burger, Group, NavLink, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { can } from '@netflow/contracts';
import { IconLogout, IconUserCircle } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useEffect } from 'react';
import { Link, Navigate, Outlet, matchPath, useLocation } from 'react-router';
import { CurrentUserContext, useSession, type CurrentUser } from '../auth/AuthContext';
import { PageErrorBoundary } from '../components/PageErrorBoundary';
import { ErrorState, PageLoader } from '../components/states';
import { isTypingTarget, onPathShown } from '../lib/a11y';
import { humanize, initials } from '../lib/format';
import { endSession, peekSignOutReason } from '../lib/session';
import { useTRPC } from '../trpc';
import { Logo } from './Logo';
import { NAV } from './nav';

export default function AppLayout() {
  const session = useSession();
  const location = useLocation();
  const trpc = useTRPC();
  const me = useQuery({ ...trpc.auth.me.queryOptions({}), enabled: session !== null, staleTime: 5 * 60_000 });

  if (!session) {
    // Come back here after signing in, unless the person signed out on purpose (the next one to
    // sign in on this device may be someone else).
    const reason = peekSignOutReason();
    const returnable = reason === null || reason === 'expired' || reason === 'unauthorized';
    return <Navigate to="/sign-in" replace state={returnable ? { from: location.pathname + location.search } : undefined} />;
  }
  if (me.isPending) return <PageLoader label="Opening your workspace…" />;
  if (me.isError) {
    return (
      <Stack p="xl" maw={560} mx="auto">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} title="Could not load your account" />
      </Stack>
    );
  }
  // A role that must use two-step sign-in reaches only the profile (where it enrols) until it does.
  if (me.data.mfaRequired && !me.data.mfaEnabled && location.pathname !== '/profile') return <Navigate to="/profile" replace />;
  return (
    <CurrentUserContext.Provider value={me.data.user}>
      <Shell user={me.data.user} />
    </CurrentUserContext.Provider>
  );
}

function Shell({ user }: { user: CurrentUser }) {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();

  // Close the phone drawer after navigating.
  useEffect(() => close(), [location.pathname, close]);

  // After a navigation focus goes to the new page's heading (lib/a11y.ts).
  useEffect(() => onPathShown(location.pathname), [location.pathname]);

  // `/` focuses the page's search box (lists have one), unless the person is typing somewhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
      if (document.querySelector('[role="dialog"]')) return;
      const search = document.querySelector<HTMLInputElement>('main input[data-page-search]');
      if (!search) return;
      event.preventDefault();
      search.focus();
      search.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const groups = NAV.map((g) => ({ ...g, items: g.items.filter((i) => can(user.role, i.permission)) })).filter((g) => g.items.length > 0);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'sm', sm: 'lg' }}
    >
      {/* The first thing a keyboard reaches: past the header and the navigation, to the page. */}
      <a href="#main-content" className="nf-skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} to="/" aria-label="NetFlow CRM home">
              <Logo />
            </UnstyledButton>
          </Group>
          <HeaderUser user={user} />
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <AppShell.Section grow style={{ overflowY: 'auto' }}>
          <Stack gap="md">
            {groups.map((group) => (
              <Stack key={group.label} gap={2}>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" mb={2} style={{ letterSpacing: '0.06em' }}>
                  {group.label}
                </Text>
                {group.items.map((item) => {
                  const active =
                    matchPath({ path: item.to, end: item.end ?? false }, location.pathname) !== null ||
                    (item.to === '/leads' && /^\/leads\/(?!board)[^/]+$/.test(location.pathname));
                  return (
                    <NavLink
                      key={item.to}
                      component={Link}
                      to={item.to}
                      label={item.label}
                      leftSection={<item.icon size={18} stroke={1.6} />}
                      active={active}
                      variant="light"
                      style={{ borderRadius: 'var(--mantine-radius-md)' }}
                      aria-current={active ? 'page' : undefined}
                    />
                  );
                })}
              </Stack>
            ))}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <NavLink
            component={Link}
            to="/profile"
            label="Profile & security"
            leftSection={<IconUserCircle size={18} stroke={1.6} />}
            active={location.pathname === '/profile'}
            variant="light"
            style={{ borderRadius: 'var(--mantine-radius-md)' }}
          />
          <SignOutButton />
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main-content" tabIndex={-1} style={{ outline: 'none' }}>
        <div style={{ maxWidth: 1280, margin: '0 auto' }}>
          <PageErrorBoundary>
            <Suspense fallback={<PageLoader />}>
              <Outlet />
            </Suspense>
          </PageErrorBoundary>
        </div>
      </AppShell.Main>
    </AppShell>
  );
}

/** Who is signed in, in the header: a link to the profile (no popover, so the shell stays light). */
function HeaderUser({ user }: { user: CurrentUser }) {
  return (
    // Named by its visible text (name and role) with "Your profile" before it for screen readers.
    <UnstyledButton component={Link} to="/profile" title="Your profile" data-testid="user-menu">
      <VisuallyHidden>Your profile: </VisuallyHidden>
      <Group gap={8} wrap="nowrap">
        <Stack gap={0} visibleFrom="xs" style={{ lineHeight: 1.1, textAlign: 'right' }}>
          <Text size="sm" fw={600} lineClamp={1}>
            {user.name}
          </Text>
          <Text size="xs" c="dimmed">
            {humanize(user.role)}
          </Text>
        </Stack>
        <Avatar color="brand" radius="xl" size={34} aria-hidden>
          {initials(user.name)}
        </Avatar>
      </Group>
      <VisuallyHidden hiddenFrom="xs">{user.name}</VisuallyHidden>
    </UnstyledButton>
  );
}

function SignOutButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: () => {
        // Whatever the server said, this tab forgets the token and everything it loaded.
        endSession('signed-out');
        queryClient.clear();
      },
    }),
  );
  return (
    <NavLink
      component="button"
      label="Sign out"
      leftSection={<IconLogout size={18} stroke={1.6} />}
      onClick={() => logout.mutate({})}
      disabled={logout.isPending}
      color="red"
      style={{ borderRadius: 'var(--mantine-radius-md)' }}
      data-testid="sign-out"
    />
  );
}
