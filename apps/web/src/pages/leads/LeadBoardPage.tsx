/**
 * The pipeline as a board: one column per stage. A card moves to the next stage with its button
 * (keyboard and touch) or by dragging it onto the column (mouse); the move shows at once
 * (optimistic) and rolls back if the server refuses it.
 */
import { ActionIcon, Anchor, Badge, Button, Group, Menu, Paper, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { LEAD_STATUSES, canMoveLead, type LeadStatus } from '@netflow/contracts';
import { IconArrowRight, IconDots, IconExternalLink, IconPlus, IconRefresh, IconTrophy, IconX } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type DragEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useCan } from '../../auth/AuthContext';
import { ListToolbar } from '../../components/ListToolbar';
import { PageHeader } from '../../components/PageHeader';
import { statusColor } from '../../components/StatusBadge';
import { ErrorState, SkeletonRows } from '../../components/states';
import { formatRelative } from '../../lib/format';
import { useUrlState } from '../../lib/useUrlState';
import { useTRPC } from '../../trpc';
import { LeadFormModal } from './LeadForm';
import { ConvertLeadModal, LostReasonModal, NEXT_STAGE, STAGE_LABELS, useSetLeadStatus, type Lead } from './leadActions';
import { LeadsViewSwitch } from './LeadsViewSwitch';

const COLUMN_LIMIT = 30;

export default function LeadBoardPage() {
  const can = useCan();
  const navigate = useNavigate();
  const [url, setUrl] = useUrlState(['search', 'assignee'] as const);
  const [createOpen, createModal] = useDisclosure(false);
  const [losing, setLosing] = useState<Lead | null>(null);
  const [converting, setConverting] = useState<Lead | null>(null);
  const [dragging, setDragging] = useState<Lead | null>(null);
  const setStatus = useSetLeadStatus();
  const writable = can('leads.write');

  const move = (lead: Lead, to: LeadStatus) => {
    if (to === 'won') setConverting(lead);
    else if (to === 'lost') setLosing(lead);
    else setStatus.mutate({ id: lead.id, status: to });
  };

  const canDrop = (lead: Lead, to: LeadStatus) => lead.status !== to && canMoveLead(lead.status, to);

  return (
    <>
      <PageHeader
        title="Pipeline"
        description="Move each lead forward as the conversation progresses."
        actions={
          <>
            <LeadsViewSwitch value="board" />
            {writable && (
              <Button leftSection={<IconPlus size={16} />} onClick={createModal.open}>
                New lead
              </Button>
            )}
          </>
        }
      />
      <ListToolbar search={url.search} onSearch={(search) => setUrl({ search })} placeholder="Search name, phone or e-mail">
        <Button
          variant={url.assignee === 'me' ? 'light' : 'default'}
          onClick={() => setUrl({ assignee: url.assignee === 'me' ? null : 'me' })}
          aria-pressed={url.assignee === 'me'}
        >
          Only my leads
        </Button>
      </ListToolbar>
      <div className="nf-board" data-testid="lead-board">
        {LEAD_STATUSES.map((status) => (
          <BoardColumn
            key={status}
            status={status}
            search={url.search || undefined}
            mine={url.assignee === 'me'}
            writable={writable}
            dragging={dragging}
            canDrop={canDrop}
            onDragStart={setDragging}
            onDragEnd={() => setDragging(null)}
            onMove={move}
            onOpen={(lead) => void navigate(`/leads/${lead.id}`)}
          />
        ))}
      </div>
      <LeadFormModal opened={createOpen} onClose={createModal.close} />
      <LostReasonModal lead={losing} onClose={() => setLosing(null)} />
      <ConvertLeadModal lead={converting} onClose={() => setConverting(null)} />
    </>
  );
}

interface ColumnProps {
  status: LeadStatus;
  search?: string;
  mine: boolean;
  writable: boolean;
  dragging: Lead | null;
  canDrop: (lead: Lead, to: LeadStatus) => boolean;
  onDragStart: (lead: Lead) => void;
  onDragEnd: () => void;
  onMove: (lead: Lead, to: LeadStatus) => void;
  onOpen: (lead: Lead) => void;
}

function BoardColumn({ status, search, mine, writable, dragging, canDrop, onDragStart, onDragEnd, onMove, onOpen }: ColumnProps) {
  const trpc = useTRPC();
  const [over, setOver] = useState(false);
  const list = useQuery(
    trpc.leads.list.queryOptions({
      status,
      search,
      assignee: mine ? 'me' : undefined,
      limit: COLUMN_LIMIT,
      sort: 'updatedAt',
      order: 'desc',
    }),
  );
  const droppable = writable && dragging !== null && canDrop(dragging, status);
  const items = list.data?.items ?? [];
  const countLabel = list.data ? `${items.length}${list.data.nextCursor ? '+' : ''}` : '…';

  const dropHandlers = {
    onDragOver: (e: DragEvent) => {
      if (!droppable) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      setOver(true);
    },
    onDragLeave: () => setOver(false),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      if (dragging && droppable) onMove(dragging, status);
    },
  };

  return (
    <Paper
      withBorder
      radius="md"
      p="xs"
      bg="var(--nf-surface-muted)"
      className="nf-board-column"
      data-drop-target={over ? 'true' : undefined}
      data-testid={`board-column-${status}`}
      aria-label={`${STAGE_LABELS[status]} leads`}
      component="section"
      style={{ minHeight: 240, display: 'flex', flexDirection: 'column' }}
      {...dropHandlers}
    >
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Group gap={8} wrap="nowrap">
          <div style={{ width: 10, height: 10, borderRadius: 99, background: `var(--mantine-color-${statusColor(status)}-6)` }} />
          <Title order={3} fz="sm" fw={700} tt="uppercase" style={{ letterSpacing: '0.04em' }}>
            {STAGE_LABELS[status]}
          </Title>
        </Group>
        <Badge variant="default" radius="xl" size="sm">
          {countLabel}
        </Badge>
      </Group>
      {list.isPending ? (
        <SkeletonRows rows={3} height={84} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed" ta="center" py="xl">
          {droppable ? 'Drop here' : 'No leads'}
        </Text>
      ) : (
        <Stack gap="xs" className="nf-board-cards">
          {items.map((lead) => (
            <LeadCard
              key={lead.id}
              lead={lead}
              writable={writable}
              onDragStart={onDragStart}
              onDragEnd={onDragEnd}
              onMove={onMove}
              onOpen={onOpen}
            />
          ))}
          {list.data?.nextCursor && (
            <Anchor component={Link} to={`/leads?status=${status}`} size="xs" ta="center">
              See all {STAGE_LABELS[status].toLowerCase()} leads
            </Anchor>
          )}
        </Stack>
      )}
    </Paper>
  );
}

function LeadCard({
  lead,
  writable,
  onDragStart,
  onDragEnd,
  onMove,
  onOpen,
}: {
  lead: Lead;
  writable: boolean;
  onDragStart: (lead: Lead) => void;
  onDragEnd: () => void;
  onMove: (lead: Lead, to: LeadStatus) => void;
  onOpen: (lead: Lead) => void;
}) {
  const next = NEXT_STAGE[lead.status];
  return (
    <Paper
      withBorder
      radius="md"
      p="xs"
      shadow="xs"
      draggable={writable && lead.status !== 'won'}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/plain', lead.id);
        e.dataTransfer.effectAllowed = 'move';
        onDragStart(lead);
      }}
      onDragEnd={onDragEnd}
      data-testid="lead-card"
      data-lead-name={lead.name}
      style={{ cursor: writable && lead.status !== 'won' ? 'grab' : undefined }}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap={4}>
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Anchor component={Link} to={`/leads/${lead.id}`} fw={600} size="sm" lineClamp={2} lh={1.3}>
            {lead.name}
          </Anchor>
          <Text size="xs" c="dimmed">
            {lead.phone}
          </Text>
        </Stack>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`More actions for ${lead.name}`}>
              <IconDots size={16} />
            </ActionIcon>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<IconExternalLink size={14} />} onClick={() => onOpen(lead)}>
              Open
            </Menu.Item>
            {writable && canMoveLead(lead.status, 'lost') && (
              <Menu.Item color="red" leftSection={<IconX size={14} />} onClick={() => onMove(lead, 'lost')}>
                Mark as lost
              </Menu.Item>
            )}
            {writable && canMoveLead(lead.status, 'new') && (
              <Menu.Item leftSection={<IconRefresh size={14} />} onClick={() => onMove(lead, 'new')}>
                Reopen
              </Menu.Item>
            )}
          </Menu.Dropdown>
        </Menu>
      </Group>
      <Group gap={6} mt={6} wrap="wrap">
        {lead.planName && (
          <Badge size="xs" variant="outline" color="gray">
            {lead.planName}
          </Badge>
        )}
        <Text size="xs" c="dimmed">
          {lead.assigneeName ?? 'Unassigned'} · {formatRelative(lead.updatedAt)}
        </Text>
      </Group>
      {lead.status === 'lost' && lead.lostReason && (
        <Text size="xs" c="dimmed" mt={4} lineClamp={2} fs="italic">
          {lead.lostReason}
        </Text>
      )}
      {writable && next && (
        <Button
          mt="xs"
          size="compact-xs"
          variant="light"
          fullWidth
          rightSection={<IconArrowRight size={14} />}
          onClick={() => onMove(lead, next)}
          aria-label={`Move ${lead.name} to ${STAGE_LABELS[next]}`}
        >
          {STAGE_LABELS[next]}
        </Button>
      )}
      {writable && lead.status === 'qualified' && (
        <Button
          mt="xs"
          size="compact-xs"
          variant="light"
          color="teal"
          fullWidth
          leftSection={<IconTrophy size={14} />}
          onClick={() => onMove(lead, 'won')}
          aria-label={`Convert ${lead.name} to a customer`}
        >
          Convert
        </Button>
      )}
      {lead.status === 'won' && lead.customerId && (
        <Button mt="xs" size="compact-xs" variant="subtle" color="teal" fullWidth component={Link} to={`/customers/${lead.customerId}`}>
          View customer
        </Button>
      )}
    </Paper>
  );
}
