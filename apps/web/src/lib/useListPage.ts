/**
 * What every list page does the same way: its filters live in the URL (bookmarkable, restored by
 * Back), typed values are narrowed from the URL strings, keyset pages reset when the filters
 * change, the previous page stays on screen while the next loads, and the table sorts through the
 * URL. The page keeps only what is its own: its filters, columns and empty state.
 */
import { keepPreviousData, useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import { useCursorPager, pageQueryProps, type Sort } from '../components/DataTable';
import { useUrlState } from './useUrlState';

interface Page {
  items: unknown[];
  nextCursor?: string | null;
}

type ItemOf<D> = D extends { items: (infer I)[] } ? I : never;

export interface ListPageConfig<K extends string, F, TData extends Page, TError, TKey extends QueryKey> {
  /** The URL parameters the page reads (search, filters, `sort`, `order`). */
  keys: readonly K[];
  /** The query's filters from the URL values (narrowed: anything unknown is dropped). */
  filters: (url: Record<K, string>) => F;
  /** The list query for one page, e.g. `(input) => trpc.tickets.list.queryOptions(input)`. */
  query: (input: F & { cursor: string | undefined; limit: number }) => UseQueryOptions<TData, TError, TData, TKey>;
  limit?: number;
  /** Columns the server sorts by; a click on another header is ignored. Needs `sort`/`order` keys. */
  sorts?: readonly string[];
}

export function useListPage<K extends string, F, TData extends Page, TError, TKey extends QueryKey>(
  config: ListPageConfig<K, F, TData, TError, TKey>,
) {
  const { keys, limit = 25, sorts } = config;
  const [url, setUrl] = useUrlState(keys);
  const filters = config.filters(url);
  const { cursor, pager } = useCursorPager(JSON.stringify(filters));
  const list = useQuery({ ...config.query({ ...filters, cursor, limit }), placeholderData: keepPreviousData });
  const values = url as Record<string, string>;
  const current = filters as { sort?: string; order?: string };
  const sortProps = sorts
    ? {
        sort: { id: current.sort ?? 'createdAt', desc: current.order !== 'asc' } satisfies Sort,
        onSortChange: (s: Sort | null) => {
          if (!s || !sorts.includes(s.id)) return;
          setUrl({ sort: s.id, order: s.desc ? 'desc' : 'asc' } as Partial<Record<K, string>>);
        },
      }
    : {};
  return {
    url,
    setUrl,
    filters,
    list,
    /** True when any URL value other than the sort narrows the list (for "No … match" states). */
    filtered: keys.some((k) => k !== 'sort' && k !== 'order' && Boolean(url[k])),
    /** Spread onto <DataTable>: rows, loading/error states, the pager and (with `sorts`) sorting. */
    tableProps: {
      ...(pageQueryProps(list) as ReturnType<typeof pageQueryProps<ItemOf<TData>>>),
      pager: pager(list.data?.nextCursor),
      ...sortProps,
    },
    /** Spread onto <ListToolbar> when the page has a `search` key. */
    searchProps: {
      search: values.search ?? '',
      onSearch: (search: string) => setUrl({ search } as Partial<Record<K, string>>),
    },
  };
}
