/**
 * The automatic SMS texts (receipt, expiry reminder, suspension, restoration). Admins edit them;
 * every change is previewed as the server renders it (sample values, or a chosen customer's), with
 * its length and the number of SMS parts it costs. Unknown placeholders are refused by the server.
 */
import { Alert, Badge, Button, Card, Code, Group, Paper, SimpleGrid, Stack, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { SMS_TEMPLATE_MAX, smsSegments, smsTemplateBodySchema } from '@netflow/contracts';
import { IconAlertTriangle, IconDeviceFloppy, IconRestore } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useCan } from '../../auth/AuthContext';
import { PageHeader } from '../../components/PageHeader';
import { CustomerPicker } from '../../components/pickers';
import { ErrorState, SkeletonRows } from '../../components/states';
import { notifyError, notifySuccess } from '../../lib/forms';
import { formatDateTime } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../trpc';

type Template = RouterOutputs['sms']['templates']['items'][number];

export default function SmsTemplatesPage() {
  const trpc = useTRPC();
  const list = useQuery(trpc.sms.templates.queryOptions({}));
  const [customerId, setCustomerId] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="SMS templates"
        description="The texts customers receive automatically. Placeholders in braces are filled in for each customer."
      />
      <Paper withBorder p="md" radius="md" mb="lg">
        <Group align="flex-end" gap="md" wrap="wrap">
          <CustomerPicker
            label="Preview for a customer"
            description="Leave empty to preview with sample values"
            value={customerId}
            onChange={setCustomerId}
            w={380}
            data-testid="sms-preview-customer"
          />
          {list.data && (
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                Placeholders
              </Text>
              <Group gap={6} wrap="wrap">
                {Object.entries(list.data.placeholders).map(([name, meaning]) => (
                  <Tooltip key={name} label={meaning} withArrow>
                    <Code>{`{${name}}`}</Code>
                  </Tooltip>
                ))}
              </Group>
            </Stack>
          )}
        </Group>
      </Paper>
      {list.isPending ? (
        <SkeletonRows rows={4} height={120} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (
        <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
          {list.data.items.map((template) => (
            <TemplateEditor key={`${template.key}:${template.body}`} template={template} customerId={customerId} />
          ))}
        </SimpleGrid>
      )}
    </>
  );
}

function TemplateEditor({ template, customerId }: { template: Template; customerId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const can = useCan();
  const editable = can('settings.manage');
  const [body, setBody] = useState(template.body);
  const [serverError, setServerError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const [debounced] = useDebouncedValue(body, 300);
  const check = smsTemplateBodySchema.safeParse(debounced);
  const localError = check.success ? null : (check.error.issues[0]?.message ?? 'Invalid');
  const preview = useQuery({
    ...trpc.sms.preview.queryOptions({ key: template.key, body: debounced.trim() || undefined, customerId: customerId ?? undefined }),
    enabled: check.success,
    placeholderData: keepPreviousData,
  });
  const save = useMutation(
    trpc.sms.updateTemplate.mutationOptions({
      onSuccess: () => {
        setServerError(null);
        void queryClient.invalidateQueries({ queryKey: trpc.sms.templates.queryKey() });
        notifySuccess(`${template.label} saved`);
      },
      onError: (error) => {
        setServerError(error.message);
        notifyError(error, 'Not saved');
      },
    }),
  );
  const dirty = body.trim() !== template.body;
  const typed = smsSegments(body);
  const insert = (name: string) => {
    const el = area.current;
    const token = `{${name}}`;
    if (!el) return setBody((b) => b + token);
    const start = el.selectionStart ?? body.length;
    const end = el.selectionEnd ?? body.length;
    setBody(body.slice(0, start) + token + body.slice(end));
  };
  const error = localError ?? serverError;

  return (
    <Card data-testid={`sms-template-${template.key}`}>
      <Group justify="space-between" mb="xs">
        <Title order={3} fz="md">
          {template.label}
        </Title>
        {template.updatedAt ? (
          <Text size="xs" c="dimmed">
            Edited by {template.updatedByName ?? 'someone'} · {formatDateTime(template.updatedAt)}
          </Text>
        ) : (
          <Badge variant="light" color="gray">
            Default text
          </Badge>
        )}
      </Group>
      <Textarea
        ref={area}
        aria-label={`${template.label} text`}
        value={body}
        onChange={(e) => {
          setBody(e.currentTarget.value);
          setServerError(null);
        }}
        readOnly={!editable}
        autosize
        minRows={3}
        maxRows={8}
        maxLength={SMS_TEMPLATE_MAX + 50}
        error={error}
        description={`${typed.length} characters as typed · placeholders change the final length`}
      />
      {editable && (
        <Group gap={4} mt={6} wrap="wrap">
          {['name', 'account', 'amount', 'balance', 'plan', 'expiry', 'paybill'].map((name) => (
            <Button key={name} size="compact-xs" variant="light" color="gray" onClick={() => insert(name)}>
              {`{${name}}`}
            </Button>
          ))}
        </Group>
      )}
      <Paper withBorder p="sm" radius="md" mt="md" bg="var(--mantine-color-gray-0)">
        <Group justify="space-between" mb={4}>
          <Text size="xs" fw={700} tt="uppercase" c="dimmed">
            Preview {preview.data?.sample === false ? '(chosen customer)' : '(sample values)'}
          </Text>
          {preview.data && (
            <Text size="xs" c={preview.data.segments > 1 ? 'orange' : 'dimmed'} data-testid={`sms-segments-${template.key}`}>
              {preview.data.length} characters · {preview.data.segments} SMS {preview.data.segments === 1 ? 'part' : 'parts'} ·{' '}
              {preview.data.encoding}
            </Text>
          )}
        </Group>
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid={`sms-preview-${template.key}`}>
          {check.success ? (preview.data?.text ?? '…') : '—'}
        </Text>
        {preview.data?.warnings.map((w) => (
          <Alert key={w} mt="xs" p={6} color="yellow" icon={<IconAlertTriangle size={14} />}>
            <Text size="xs">{w}</Text>
          </Alert>
        ))}
      </Paper>
      {editable && (
        <Group justify="flex-end" mt="md" gap="xs">
          <Button
            variant="subtle"
            color="gray"
            leftSection={<IconRestore size={16} />}
            disabled={body === template.defaultBody}
            onClick={() => setBody(template.defaultBody)}
          >
            Default text
          </Button>
          <Button
            leftSection={<IconDeviceFloppy size={16} />}
            disabled={!dirty || localError !== null}
            loading={save.isPending}
            onClick={() => save.mutate({ key: template.key, body })}
          >
            Save
          </Button>
        </Group>
      )}
    </Card>
  );
}
