/**
 * Moving leads along the pipeline, shared by the board, the table and the detail page. Status moves
 * are optimistic: every cached list and the detail change at once and roll back if the server says no.
 */
import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { LEAD_STATUSES, leadConvertInput, leadSetStatusInput, type LeadStatus } from '@netflow/contracts';
import { IconCircleCheck } from '@tabler/icons-react';
import { hashKey, useMutation, useQueryClient } from '@tanstack/react-query';
import { Controller } from 'react-hook-form';
import { Link } from 'react-router';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { PlanPicker } from '../../components/pickers';
import { notifyError, notifySuccess } from '../../lib/forms';
import { humanize } from '../../lib/format';
import { invalidates } from '../../lib/invalidation';
import { useTRPC, type RouterOutputs } from '../../trpc';

export type Lead = RouterOutputs['leads']['get'];
type LeadPage = RouterOutputs['leads']['list'];

export { NEXT_STAGE, STAGE_LABELS } from './stages';

export function useSetLeadStatus() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.leads.setStatus.mutationOptions({
      meta: invalidates('leads'),
      onMutate: async (vars) => {
        await queryClient.cancelQueries(trpc.leads.pathFilter());
        const lists = queryClient.getQueriesData<LeadPage>(trpc.leads.list.pathFilter());
        // The lists narrowed to one stage, found with tRPC's own (partial-input) filters rather than
        // by reading the layout of its query keys.
        const stageOf = new Map<string, LeadStatus>();
        for (const stage of LEAD_STATUSES) {
          for (const [key] of queryClient.getQueriesData(trpc.leads.list.queryFilter({ status: stage }))) stageOf.set(hashKey(key), stage);
        }
        const detailKey = trpc.leads.get.queryKey({ id: vars.id });
        const detail = queryClient.getQueryData<Lead>(detailKey);
        const moved = detail ?? lists.flatMap(([, page]) => page?.items ?? []).find((l) => l.id === vars.id);
        if (moved) {
          const updated: Lead = {
            ...moved,
            status: vars.status,
            lostReason: vars.reason ?? moved.lostReason,
            updatedAt: new Date().toISOString(),
          };
          for (const [key, page] of lists) {
            if (!page) continue;
            const filter = stageOf.get(hashKey(key));
            let items = page.items;
            if (filter === undefined) items = items.map((l) => (l.id === vars.id ? updated : l));
            else if (filter === vars.status) items = [updated, ...items.filter((l) => l.id !== vars.id)];
            else items = items.filter((l) => l.id !== vars.id);
            queryClient.setQueryData<LeadPage>(key, { ...page, items });
          }
          if (detail) queryClient.setQueryData<Lead>(detailKey, updated);
        }
        return { lists, detail, detailKey };
      },
      onError: (error, _vars, context) => {
        if (context) {
          for (const [key, page] of context.lists) queryClient.setQueryData(key, page);
          if (context.detail) queryClient.setQueryData(context.detailKey, context.detail);
        }
        notifyError(error, 'The lead was not moved');
      },
      onSuccess: (lead) => notifySuccess(`${lead.name} is now ${humanize(lead.status).toLowerCase()}`),
      // After a failure the optimistic move was rolled back: re-read what the server holds.
      onSettled: (_data, error) => {
        if (error) void queryClient.invalidateQueries(trpc.leads.pathFilter());
      },
    }),
  );
}

/** Asks why a lead was lost (the API requires a reason). */
export function LostReasonModal({ lead, onClose }: { lead: Lead | null; onClose: () => void }) {
  return (
    <FormModal opened={lead !== null} onClose={onClose} title={lead ? `Mark ${lead.name} as lost` : ''}>
      {lead && <LostReasonForm lead={lead} onClose={onClose} />}
    </FormModal>
  );
}

function LostReasonForm({ lead, onClose }: { lead: Lead; onClose: () => void }) {
  const setStatus = useSetLeadStatus();
  const form = useZodForm(leadSetStatusInput, { id: lead.id, status: 'lost', reason: '' });
  const { errors } = form.formState;
  return (
    <ModalForm
      form={form}
      onSubmit={(values) => {
        if (!values.reason) {
          form.setError('reason', { message: 'Say why the lead was lost' });
          return;
        }
        setStatus.mutate(values, { onSuccess: onClose });
      }}
      onCancel={onClose}
      submitLabel="Mark as lost"
      submitColor="red"
      pending={setStatus.isPending}
    >
      <Textarea
        label="Reason"
        description="For example: chose a competitor, no coverage in the area, too expensive"
        required
        autosize
        minRows={2}
        data-autofocus
        {...form.register('reason')}
        error={errors.reason?.message}
      />
    </ModalForm>
  );
}

/** Turns a qualified lead into a customer, optionally with a pending subscription on a plan. */
export function ConvertLeadModal({ lead, onClose }: { lead: Lead | null; onClose: () => void }) {
  return (
    <FormModal opened={lead !== null} onClose={onClose} title={lead ? `Convert ${lead.name} to a customer` : ''}>
      {lead && <ConvertForm lead={lead} onClose={onClose} />}
    </FormModal>
  );
}

function ConvertForm({ lead, onClose }: { lead: Lead; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useZodForm(leadConvertInput, { id: lead.id, planId: lead.planId ?? undefined });
  const convert = useMutation(
    trpc.leads.convert.mutationOptions({
      meta: invalidates('conversion'),
      onSuccess: (result) => {
        queryClient.setQueryData(trpc.leads.get.queryKey({ id: lead.id }), result.lead);
        notifySuccess(`Account ${result.accountNumber} opened`, `${lead.name} is now a customer`);
      },
      onError: serverErrorsTo(form, ['planId']),
    }),
  );
  const { errors } = form.formState;

  if (convert.isSuccess) {
    return (
      <Stack>
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />} title="Converted">
          <Text size="sm">
            {lead.name} is customer{' '}
            <strong data-testid="account-number" style={{ whiteSpace: 'nowrap' }}>
              {convert.data.accountNumber}
            </strong>
            {convert.data.subscriptionId ? ', with a pending subscription ready to activate.' : '.'} They pay by M-Pesa with this account
            number.
          </Text>
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button component={Link} to={`/customers/${convert.data.customerId}`} onClick={onClose}>
            Open customer
          </Button>
        </Group>
      </Stack>
    );
  }

  return (
    <ModalForm
      form={form}
      onSubmit={(values) => convert.mutate(values)}
      onCancel={onClose}
      submitLabel="Convert to customer"
      submitColor="teal"
      pending={convert.isPending}
    >
      <Text size="sm" c="dimmed">
        Opens a customer account with a new account number. Choose a plan to also create their subscription (it starts as pending until
        activated).
      </Text>
      <Controller
        control={form.control}
        name="planId"
        render={({ field }) => (
          <PlanPicker
            label="Plan"
            value={field.value}
            onChange={(v) => field.onChange(v ?? undefined)}
            onBlur={field.onBlur}
            ref={field.ref}
            error={errors.planId?.message}
          />
        )}
      />
    </ModalForm>
  );
}
