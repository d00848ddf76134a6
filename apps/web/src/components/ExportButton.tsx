/**
 * Downloads a CSV export. The REST route wants the bearer token in a header, so the file is fetched
 * with it and handed to the browser as a blob (no token in the URL, where logs would keep it).
 */
import { Button } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useState } from 'react';
import { notifyError } from '../lib/forms';
import { endSession, getToken } from '../lib/session';

export function ExportButton({ path, params, filename }: { path: string; params: Record<string, string | undefined>; filename: string }) {
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
      const token = getToken();
      const res = await fetch(`${path}${query.size ? `?${query}` : ''}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (res.status === 401) {
        endSession('unauthorized');
        return;
      }
      if (!res.ok) {
        const body: unknown = await res.json().catch(() => null);
        const message =
          body && typeof body === 'object' && 'error' in body && typeof body.error === 'string'
            ? body.error
            : `Export failed (${res.status})`;
        throw new Error(message);
      }
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${filename}-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      notifyError(error, 'Export failed');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="default" leftSection={<IconDownload size={16} />} loading={busy} onClick={() => void download()}>
      Export CSV
    </Button>
  );
}
