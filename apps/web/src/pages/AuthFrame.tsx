/** The frame of the public pages (sign-in, request access): brand panel beside a form card. */
import { Box, Center, Group, List, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAccessPoint, IconCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useDocumentTitle } from '../lib/a11y';
import { Logo } from '../layout/Logo';

export function AuthFrame({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  useDocumentTitle(title);
  return (
    <Box mih="100vh" style={{ display: 'flex' }}>
      <Box
        visibleFrom="md"
        p={48}
        c="white"
        style={{
          flex: '0 0 44%',
          background: 'linear-gradient(150deg, var(--mantine-color-brand-9) 0%, #03345c 60%, #021f38 100%)',
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
        }}
      >
        <Group gap={10}>
          <ThemeIcon size={40} radius="md" color="brand.8" variant="white">
            <IconAccessPoint size={24} stroke={2} />
          </ThemeIcon>
          <Text fw={750} fz={22}>
            NetFlow CRM
          </Text>
        </Group>
        <Stack gap="lg" maw={420}>
          <Title order={1} fz={34} lh={1.2}>
            Every subscriber, payment and ticket in one place.
          </Title>
          <List
            spacing="sm"
            icon={
              <ThemeIcon size={22} radius="xl" color="teal.4" variant="filled">
                <IconCheck size={14} />
              </ThemeIcon>
            }
          >
            <List.Item>Move leads from first call to connected customer</List.Item>
            <List.Item>Match M-Pesa payments and renew subscriptions automatically</List.Item>
            <List.Item>Suspend, restore and support subscribers from any device</List.Item>
          </List>
        </Stack>
        <Text size="xs" c="gray.5">
          Staff access only. Activity is recorded in the audit log.
        </Text>
      </Box>
      <Center style={{ flex: 1 }} p="md" bg="gray.0">
        <Stack w="100%" maw={420} gap="lg">
          <Box hiddenFrom="md">
            <Logo size="lg" />
          </Box>
          <Paper withBorder shadow="sm" p={{ base: 'lg', sm: 32 }} radius="lg">
            <Stack gap={4} mb="lg">
              <Title order={2} fz={24}>
                {title}
              </Title>
              {subtitle && (
                <Text c="dimmed" size="sm">
                  {subtitle}
                </Text>
              )}
            </Stack>
            {children}
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
