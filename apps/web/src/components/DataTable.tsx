/**
 * The one table of the product: TanStack Table for columns and sorting state, Mantine for the
 * look. Sorting and pagination happen on the server (keyset cursors), so the table is "manual".
 */
import { Button, Group, Paper, ScrollArea, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconArrowsSort, IconChevronLeft, IconChevronRight, IconSortAscending, IconSortDescending } from '@tabler/icons-react';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table';
import { useState, type KeyboardEvent, type ReactNode } from 'react';
import { ErrorState, SkeletonRows } from './states';

export interface Sort {
  id: string;
  desc: boolean;
}

export interface Pager {
  page: number;
  hasPrev: boolean;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
}

interface DataTableProps<T> {
  data: readonly T[] | undefined;
  columns: ColumnDef<T>[];
  getRowId: (row: T) => string;
  isLoading: boolean;
  error?: unknown;
  onRetry?: () => void;
  empty: ReactNode;
  sort?: Sort | null;
  onSortChange?: (sort: Sort | null) => void;
  onRowClick?: (row: T) => void;
  pager?: Pager;
  /** Below this width the table scrolls sideways (phones). */
  minWidth?: number;
  /** True while a new page or filter is fetched over old data. */
  isFetching?: boolean;
  caption?: string;
}

const noRows: never[] = [];

export function DataTable<T>({
  data,
  columns,
  getRowId,
  isLoading,
  error,
  onRetry,
  empty,
  sort,
  onSortChange,
  onRowClick,
  pager,
  minWidth = 720,
  isFetching,
  caption,
}: DataTableProps<T>) {
  const sorting: SortingState = sort ? [sort] : [];
  // TanStack Table's instance is mutable by design; this component is not memoized by a compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable<T>({
    data: (data ?? noRows) as T[],
    columns,
    getRowId: (row) => getRowId(row),
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSortingRemoval: false,
    state: { sorting },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      onSortChange?.(next[0] ?? null);
    },
  });

  // Phones get one card per row instead of a table that scrolls sideways.
  const phone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });

  if (error && !data) return <ErrorState error={error} onRetry={onRetry} />;

  const rows = table.getRowModel().rows;
  if (phone) {
    return (
      <Stack gap="sm" aria-busy={isLoading || isFetching} aria-label={caption}>
        {isLoading ? (
          <SkeletonRows rows={5} height={88} />
        ) : rows.length === 0 ? (
          <Paper withBorder radius="md">
            {empty}
          </Paper>
        ) : (
          rows.map((row) => {
            const [first, ...rest] = row.getVisibleCells();
            return (
              <Paper key={row.id} withBorder radius="md" p="sm" data-testid="table-card" style={{ opacity: isFetching ? 0.6 : 1 }}>
                {first && <div>{flexRender(first.column.columnDef.cell, first.getContext())}</div>}
                <Stack gap={6} mt={rest.length ? 'xs' : 0}>
                  {rest.map((cell) => {
                    const header = cell.column.columnDef.header;
                    const label = typeof header === 'string' ? header : '';
                    return (
                      <Group key={cell.id} justify={label ? 'space-between' : 'flex-end'} gap="xs" wrap="nowrap" align="center">
                        {label && (
                          <Text size="xs" c="dimmed" fw={500} style={{ flexShrink: 0 }}>
                            {label}
                          </Text>
                        )}
                        <div style={{ minWidth: 0, textAlign: 'right', fontSize: 'var(--mantine-font-size-sm)' }}>
                          {flexRender(cell.column.columnDef.cell, cell.getContext())}
                        </div>
                      </Group>
                    );
                  })}
                </Stack>
              </Paper>
            );
          })
        )}
        {pager && (pager.hasPrev || pager.hasNext) && <PagerBar pager={pager} />}
      </Stack>
    );
  }
  return (
    <Paper withBorder radius="md" style={{ overflow: 'hidden' }}>
      <ScrollArea type="auto" offsetScrollbars="x">
        <Table miw={minWidth} stickyHeader striped={false} aria-busy={isLoading || isFetching}>
          {caption && <Table.Caption style={{ display: 'none' }}>{caption}</Table.Caption>}
          <Table.Thead bg="gray.0">
            {table.getHeaderGroups().map((group) => (
              <Table.Tr key={group.id}>
                {group.headers.map((header) => {
                  const canSort = header.column.getCanSort() && !!onSortChange;
                  const dir = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <Table.Th
                      key={header.id}
                      aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}
                      style={{ whiteSpace: 'nowrap' }}
                    >
                      {canSort ? (
                        <UnstyledButton
                          onClick={header.column.getToggleSortingHandler()}
                          fw={600}
                          fz="sm"
                          style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}
                        >
                          {label}
                          {dir === 'asc' ? (
                            <IconSortAscending size={14} aria-hidden />
                          ) : dir === 'desc' ? (
                            <IconSortDescending size={14} aria-hidden />
                          ) : (
                            <IconArrowsSort size={14} opacity={0.4} aria-hidden />
                          )}
                        </UnstyledButton>
                      ) : (
                        <Text fw={600} fz="sm" span>
                          {label}
                        </Text>
                      )}
                    </Table.Th>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody style={{ opacity: isFetching && !isLoading ? 0.6 : 1, transition: 'opacity 120ms' }}>
            {isLoading ? (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>
                  <SkeletonRows rows={6} height={28} />
                </Table.Td>
              </Table.Tr>
            ) : rows.length === 0 ? (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>{empty}</Table.Td>
              </Table.Tr>
            ) : (
              rows.map((row) => (
                <Table.Tr
                  key={row.id}
                  className={onRowClick ? 'nf-row-link' : undefined}
                  onClick={
                    onRowClick
                      ? (event) => {
                          // Let links, buttons and menus inside the row do their own thing.
                          if ((event.target as HTMLElement).closest('a,button,input,[role="menuitem"]')) return;
                          onRowClick(row.original);
                        }
                      : undefined
                  }
                >
                  {row.getVisibleCells().map((cell) => (
                    <Table.Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Table.Td>
                  ))}
                </Table.Tr>
              ))
            )}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {pager && (pager.hasPrev || pager.hasNext) && (
        <div style={{ borderTop: '1px solid var(--mantine-color-gray-3)' }}>
          <PagerBar pager={pager} />
        </div>
      )}
    </Paper>
  );
}

function PagerBar({ pager }: { pager: Pager }) {
  return (
    <Group justify="space-between" px="md" py="xs">
      <Text size="sm" c="dimmed">
        Page {pager.page}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" leftSection={<IconChevronLeft size={14} />} disabled={!pager.hasPrev} onClick={pager.onPrev}>
          Previous
        </Button>
        <Button variant="default" size="xs" rightSection={<IconChevronRight size={14} />} disabled={!pager.hasNext} onClick={pager.onNext}>
          Next
        </Button>
      </Group>
    </Group>
  );
}

/** Keyset pagination: a stack of cursors, reset whenever the filters (the key) change. */
export function useCursorPager(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | undefined)[] }>({ key: resetKey, stack: [undefined] });
  const stack = state.key === resetKey ? state.stack : [undefined];
  if (state.key !== resetKey) setState({ key: resetKey, stack: [undefined] });
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    pager: (nextCursor: string | null | undefined): Pager => ({
      page: stack.length,
      hasPrev: stack.length > 1,
      hasNext: !!nextCursor,
      onPrev: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
      onNext: () => {
        if (nextCursor) setState({ key: resetKey, stack: [...stack, nextCursor] });
      },
    }),
  };
}

/** Enter/Space on a focusable element acts like a click (for cards and rows). */
export function onActivate(handler: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      handler();
    }
  };
}

/** The state props of a table fed by one page of a list query (`{items, nextCursor}`). */
export function pageQueryProps<T>(list: {
  data?: { items: T[] } | undefined;
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
  refetch: () => Promise<unknown>;
}) {
  return {
    data: list.data?.items,
    isLoading: list.isPending,
    isFetching: list.isFetching,
    error: list.error,
    onRetry: () => void list.refetch(),
  };
}
