/** Subscription lifecycle: create, activate (provision), suspend, restore, cancel — each by permission. */
import { Button, Group, Menu, Modal, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { createSubscriptionInput, type Permission, type SubscriptionStatus } from '@netflow/contracts';
import { IconBan, IconDots, IconPlayerPause, IconPlayerPlay, IconPower } from '@tabler/icons-react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller } from 'react-hook-form';
import { useCan } from '../../auth/AuthContext';
import { FormModal, ModalForm, serverErrorsTo, useZodForm } from '../../components/FormModal';
import { PlanPicker } from '../../components/pickers';
import { emptyAsUndefined, notifyError, notifySuccess } from '../../lib/forms';
import { invalidates } from '../../lib/invalidation';
import { useTRPC } from '../../trpc';
import { ActivateModal } from '../routers/ActivateModal';

type Action = 'activate' | 'suspend' | 'restore' | 'cancel';

const ACTIONS: Record<
  Action,
  {
    label: string;
    from: SubscriptionStatus[];
    permission: Permission;
    icon: typeof IconPower;
    color?: string;
    confirm?: string;
    /** Whether the confirmation asks for an (optional) reason for the audit trail. */
    askReason?: boolean;
  }
> = {
  activate: {
    label: 'Activate',
    from: ['pending'],
    permission: 'subscriptions.provision',
    icon: IconPower,
    // Staff asked for a second step: a mis-tap started billing and provisioned a line not yet installed.
    confirm: 'The connection is provisioned on the router and the first period starts now, to be paid from the balance.',
    askReason: false,
  },
  suspend: {
    label: 'Suspend',
    from: ['active'],
    permission: 'subscriptions.suspend',
    icon: IconPlayerPause,
    color: 'orange',
    confirm: 'The customer loses internet access until the subscription is restored.',
  },
  restore: { label: 'Restore', from: ['suspended'], permission: 'subscriptions.restore', icon: IconPlayerPlay, color: 'teal' },
  cancel: {
    label: 'Cancel subscription',
    from: ['pending', 'active', 'suspended'],
    permission: 'subscriptions.cancel',
    icon: IconBan,
    color: 'red',
    confirm: 'Cancelling is final: the subscription cannot be restored afterwards.',
  },
};

/** The actions the signed-in role may take on a subscription in its current status. */
export function SubscriptionActions({
  subscription,
}: {
  subscription: { id: string; status: SubscriptionStatus; planName: string; routerId?: string | null };
}) {
  const trpc = useTRPC();
  const can = useCan();
  const [confirming, setConfirming] = useState<Action | null>(null);
  const [activating, setActivating] = useState(false);
  // With routers registered, activation asks which one serves the line; without, it is one click.
  const routerOptions = useQuery({
    ...trpc.routers.options.queryOptions(),
    enabled: subscription.status === 'pending' && can('subscriptions.provision'),
  });
  const choosesRouter = (routerOptions.data?.items.length ?? 0) > 0;
  const [reason, setReason] = useState('');
  const options = {
    meta: invalidates('billing'),
    onError: (error: unknown) => notifyError(error),
  };
  const mutations = {
    activate: useMutation(trpc.subscriptions.activate.mutationOptions(options)),
    suspend: useMutation(trpc.subscriptions.suspend.mutationOptions(options)),
    restore: useMutation(trpc.subscriptions.restore.mutationOptions(options)),
    cancel: useMutation(trpc.subscriptions.cancel.mutationOptions(options)),
  };
  const available = (Object.keys(ACTIONS) as Action[]).filter(
    (a) => ACTIONS[a].from.includes(subscription.status) && can(ACTIONS[a].permission),
  );
  if (available.length === 0) return null;

  const run = (action: Action, why?: string) =>
    mutations[action].mutate(
      { id: subscription.id, reason: why || undefined },
      {
        onSuccess: (s) => {
          notifySuccess(`${s.planName} is now ${s.status}`, ACTIONS[action].label);
          setConfirming(null);
          setReason('');
        },
      },
    );
  const primary = available.filter((a) => a !== 'cancel');
  const busy = Object.values(mutations).some((m) => m.isPending);

  return (
    <Group gap={6} wrap="nowrap" justify="flex-end">
      {primary.map((action) => {
        const spec = ACTIONS[action];
        return (
          <Button
            key={action}
            size="compact-sm"
            variant="light"
            color={spec.color}
            leftSection={<spec.icon size={14} />}
            loading={mutations[action].isPending}
            disabled={busy}
            onClick={() =>
              action === 'activate' && choosesRouter ? setActivating(true) : spec.confirm ? setConfirming(action) : run(action)
            }
          >
            {spec.label}
          </Button>
        );
      })}
      {available.includes('cancel') && (
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button size="compact-sm" variant="subtle" color="gray" aria-label={`More actions for ${subscription.planName}`} px={6}>
              <IconDots size={16} />
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item color="red" leftSection={<IconBan size={14} />} onClick={() => setConfirming('cancel')}>
              Cancel subscription
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      )}
      <ActivateModal subscription={subscription} opened={activating} onClose={() => setActivating(false)} />
      <Modal
        opened={confirming !== null}
        onClose={() => setConfirming(null)}
        title={confirming ? `${ACTIONS[confirming].label}: ${subscription.planName}` : ''}
      >
        {confirming && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              run(confirming, reason.trim());
            }}
          >
            <Stack>
              <Text size="sm">{ACTIONS[confirming].confirm}</Text>
              {ACTIONS[confirming].askReason !== false && (
                <Textarea
                  label="Reason"
                  description="Optional; kept in the audit trail"
                  value={reason}
                  maxLength={500}
                  onChange={(e) => setReason(e.currentTarget.value)}
                  data-autofocus
                />
              )}
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setConfirming(null)}>
                  Back
                </Button>
                <Button
                  type="submit"
                  color={ACTIONS[confirming].color}
                  loading={mutations[confirming].isPending}
                  data-autofocus={ACTIONS[confirming].askReason === false ? true : undefined}
                >
                  {ACTIONS[confirming].label}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </Group>
  );
}

export function NewSubscriptionModal({ opened, onClose, customerId }: { opened: boolean; onClose: () => void; customerId: string }) {
  return (
    <FormModal opened={opened} onClose={onClose} title="New subscription">
      <NewSubscriptionForm customerId={customerId} onClose={onClose} />
    </FormModal>
  );
}

function NewSubscriptionForm({ customerId, onClose }: { customerId: string; onClose: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(createSubscriptionInput, { customerId, planId: '', pppoeUsername: undefined });
  const { errors } = form.formState;
  const create = useMutation(
    trpc.subscriptions.create.mutationOptions({
      meta: invalidates('billing'),
      onSuccess: (s) => {
        notifySuccess(`${s.planName} added as pending; activate it once the connection is ready.`, 'Subscription created');
        onClose();
      },
      onError: serverErrorsTo(form, ['planId', 'pppoeUsername']),
    }),
  );
  return (
    <ModalForm
      form={form}
      onSubmit={(values) => create.mutate(values)}
      onCancel={onClose}
      submitLabel="Create subscription"
      pending={create.isPending}
    >
      <Controller
        control={form.control}
        name="planId"
        render={({ field }) => (
          <PlanPicker
            label="Plan"
            required
            value={field.value || null}
            onChange={(v) => field.onChange(v ?? '')}
            ref={field.ref}
            error={errors.planId?.message}
          />
        )}
      />
      <TextInput
        label="PPPoE username"
        description="Optional; letters, digits, “.”, “_” or “-”. Hotspot plans do not need one."
        autoComplete="off"
        {...form.register('pppoeUsername', emptyAsUndefined)}
        error={errors.pppoeUsername?.message}
      />
    </ModalForm>
  );
}
