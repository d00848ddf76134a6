/** Title, one line of context, breadcrumbs and the page's main actions. */
import { Anchor, Breadcrumbs, Group, Stack, Text, Title } from '@mantine/core';
import { useRef, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useDocumentTitle, useTakePendingHeadingFocus } from '../lib/a11y';

export interface Crumb {
  label: string;
  to?: string;
}

export function PageHeader({
  title,
  description,
  actions,
  crumbs,
  badge,
  documentTitle,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  crumbs?: Crumb[];
  badge?: ReactNode;
  /** The tab title when `title` is not plain text. */
  documentTitle?: string;
}) {
  // "Amina Kerubo · Customers": the page, then the section it sits in (its first crumb).
  useDocumentTitle(documentTitle ?? (typeof title === 'string' ? title : undefined), crumbs?.[0]?.label);
  const heading = useRef<HTMLHeadingElement>(null);
  useTakePendingHeadingFocus(heading);
  return (
    <Stack gap={6} mb="lg">
      {crumbs && crumbs.length > 0 && (
        <Breadcrumbs separatorMargin={6} fz="sm">
          {crumbs.map((c) =>
            c.to ? (
              <Anchor key={c.label} component={Link} to={c.to} size="sm" c="dimmed">
                {c.label}
              </Anchor>
            ) : (
              <Text key={c.label} size="sm" c="dimmed">
                {c.label}
              </Text>
            ),
          )}
        </Breadcrumbs>
      )}
      <Group justify="space-between" align="flex-start" gap="sm" wrap="wrap">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 260px' }}>
          <Group gap="sm" wrap="nowrap" align="center">
            {/* Focusable from script only: focus lands here after a navigation (see lib/a11y.ts). */}
            <Title
              ref={heading}
              order={1}
              fz={{ base: 22, sm: 26 }}
              style={{ overflowWrap: 'anywhere', outline: 'none' }}
              tabIndex={-1}
              data-page-heading
            >
              {title}
            </Title>
            {badge && <div style={{ flexShrink: 0 }}>{badge}</div>}
          </Group>
          {description && (
            <Text c="dimmed" size="sm">
              {description}
            </Text>
          )}
        </Stack>
        {actions && (
          <Group gap="xs" wrap="wrap">
            {actions}
          </Group>
        )}
      </Group>
    </Stack>
  );
}
