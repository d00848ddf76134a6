import { Button, Center, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconMapQuestion } from '@tabler/icons-react';
import { Link } from 'react-router';
import { useDocumentTitle } from '../lib/a11y';

export function NotFoundPage({ what = 'page' }: { what?: string }) {
  const heading = what === 'page' ? 'Page not found' : `${what.charAt(0).toUpperCase()}${what.slice(1)} not found`;
  useDocumentTitle(heading);
  return (
    <Center mih="50vh">
      <Stack align="center" gap="sm" maw={460} ta="center" data-testid="not-found">
        <ThemeIcon size={64} radius="xl" variant="light" color="gray">
          <IconMapQuestion size={34} stroke={1.5} />
        </ThemeIcon>
        <Title order={1} fz={26} tabIndex={-1} data-page-heading style={{ outline: 'none' }}>
          {heading}
        </Title>
        <Text c="dimmed">
          {what === 'page'
            ? 'There is nothing at this address. Check the link or use the navigation.'
            : `This ${what} does not exist, or it is not one you have access to.`}
        </Text>
        <Button component={Link} to="/" mt="sm" variant="light">
          Back to the dashboard
        </Button>
      </Stack>
    </Center>
  );
}
