/** One lead: its details, where it is in the pipeline, its timeline, and the moves it can make. */
import { Anchor, Button, Card, Grid, Group, Stepper, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { LeadStatus } from '@netflow/contracts';
import {
  IconArrowRight,
  IconEdit,
  IconMail,
  IconMapPin,
  IconPackage,
  IconPhone,
  IconRefresh,
  IconSpeakerphone,
  IconTrophy,
  IconUser,
  IconX,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { ActivityTimeline } from '../../components/ActivityTimeline';
import { DetailError } from '../../components/DetailError';
import { DetailList } from '../../components/DetailList';
import { PageHeader } from '../../components/PageHeader';
import { StatusBadge } from '../../components/StatusBadge';
import { PageLoader } from '../../components/states';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../trpc';
import { LeadFormModal } from './LeadForm';
import { ConvertLeadModal, LostReasonModal, NEXT_STAGE, STAGE_LABELS, useSetLeadStatus, type Lead } from './leadActions';

const PIPELINE: LeadStatus[] = ['new', 'contacted', 'qualified', 'won'];

export default function LeadDetailPage() {
  const { id = '' } = useParams();
  const trpc = useTRPC();
  const lead = useQuery(trpc.leads.get.queryOptions({ id }));
  if (lead.isPending) return <PageLoader label="Loading the lead…" />;
  if (lead.isError) return <DetailError error={lead.error} what="lead" onRetry={() => void lead.refetch()} />;
  return <LeadDetail lead={lead.data} />;
}

function LeadDetail({ lead }: { lead: Lead }) {
  const can = useCan();
  const writable = can('leads.write') && lead.status !== 'won';
  const [editOpen, edit] = useDisclosure(false);
  const [losing, setLosing] = useState<Lead | null>(null);
  const [converting, setConverting] = useState<Lead | null>(null);
  const setStatus = useSetLeadStatus();
  const next = NEXT_STAGE[lead.status];
  const step = lead.status === 'lost' ? -1 : PIPELINE.indexOf(lead.status);

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Leads', to: '/leads' }, { label: lead.name }]}
        title={lead.name}
        badge={<StatusBadge status={lead.status} size="lg" data-testid="lead-status" />}
        description={`Created ${formatDateTime(lead.createdAt)} · updated ${formatDateTime(lead.updatedAt)}`}
        actions={
          <>
            {writable && (
              <Button variant="default" leftSection={<IconEdit size={16} />} onClick={edit.open}>
                Edit
              </Button>
            )}
            {writable && lead.status === 'lost' && (
              <Button
                variant="default"
                leftSection={<IconRefresh size={16} />}
                onClick={() => setStatus.mutate({ id: lead.id, status: 'new' })}
              >
                Reopen
              </Button>
            )}
            {writable && lead.status !== 'lost' && (
              <Button variant="default" color="red" leftSection={<IconX size={16} />} onClick={() => setLosing(lead)}>
                Mark lost
              </Button>
            )}
            {writable && next && (
              <Button
                rightSection={<IconArrowRight size={16} />}
                loading={setStatus.isPending}
                onClick={() => setStatus.mutate({ id: lead.id, status: next })}
              >
                Move to {STAGE_LABELS[next]}
              </Button>
            )}
            {writable && lead.status === 'qualified' && (
              <Button color="teal" leftSection={<IconTrophy size={16} />} onClick={() => setConverting(lead)}>
                Convert to customer
              </Button>
            )}
            {lead.status === 'won' && lead.customerId && (
              <Button component={Link} to={`/customers/${lead.customerId}`} color="teal" variant="light">
                Open customer
              </Button>
            )}
          </>
        }
      />

      <Card mb="lg" p="md">
        {lead.status === 'lost' ? (
          <Group gap="sm">
            <StatusBadge status="lost" />
            <Text size="sm">Lost{lead.lostReason ? `: ${lead.lostReason}` : ''}. Reopen it to start again from New.</Text>
          </Group>
        ) : (
          <Stepper active={step} size="sm" allowNextStepsSelect={false} iconSize={30} aria-label="Pipeline stage">
            {PIPELINE.map((s) => (
              <Stepper.Step key={s} label={STAGE_LABELS[s]} description={s === 'won' ? 'Customer' : undefined} />
            ))}
          </Stepper>
        )}
      </Card>

      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card>
            <Title order={3} fz="md" mb="md">
              Details
            </Title>
            <DetailList
              items={[
                {
                  label: 'Phone',
                  value: (
                    <Anchor href={`tel:${lead.phone}`} size="sm">
                      {lead.phone}
                    </Anchor>
                  ),
                  icon: <IconPhone size={16} />,
                },
                {
                  label: 'E-mail',
                  value: lead.email && (
                    <Anchor href={`mailto:${lead.email}`} size="sm">
                      {lead.email}
                    </Anchor>
                  ),
                  icon: <IconMail size={16} />,
                },
                { label: 'Address', value: [lead.address, lead.location].filter(Boolean).join(' · '), icon: <IconMapPin size={16} /> },
                { label: 'Interested in', value: lead.planName, icon: <IconPackage size={16} /> },
                { label: 'Source', value: lead.source, icon: <IconSpeakerphone size={16} /> },
                { label: 'Assigned to', value: lead.assigneeName ?? 'Unassigned', icon: <IconUser size={16} /> },
              ]}
            />
            {lead.notes && (
              <>
                <Text size="xs" c="dimmed" fw={500} mt="md">
                  Notes
                </Text>
                <Text size="sm" className="nf-timeline-body">
                  {lead.notes}
                </Text>
              </>
            )}
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Card>
            <Title order={3} fz="md" mb="md">
              Timeline
            </Title>
            <ActivityTimeline parent={{ leadId: lead.id }} canWrite={can('leads.write')} />
          </Card>
        </Grid.Col>
      </Grid>

      <LeadFormModal opened={editOpen} onClose={edit.close} lead={lead} />
      <LostReasonModal lead={losing} onClose={() => setLosing(null)} />
      <ConvertLeadModal lead={converting} onClose={() => setConverting(null)} />
    </>
  );
}
