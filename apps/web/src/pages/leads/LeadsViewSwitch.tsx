import { SegmentedControl } from '@mantine/core';
import { IconLayoutKanban, IconList } from '@tabler/icons-react';
import { useNavigate } from 'react-router';

export function LeadsViewSwitch({ value }: { value: 'table' | 'board' }) {
  const navigate = useNavigate();
  return (
    <SegmentedControl
      aria-label="Leads view"
      value={value}
      onChange={(v) => void navigate(v === 'board' ? '/leads/board' : '/leads')}
      data={[
        {
          value: 'table',
          label: (
            <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
              <IconList size={16} /> Table
            </span>
          ),
        },
        {
          value: 'board',
          label: (
            <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
              <IconLayoutKanban size={16} /> Board
            </span>
          ),
        },
      ]}
    />
  );
}
