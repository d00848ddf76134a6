import { TextInput, type TextInputProps } from '@mantine/core';
import type { Ref } from 'react';

function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The browser's date-time picker, holding an ISO instant (what the API's schemas expect). */
export function DateTimeInput({
  value,
  onChange,
  ref,
  ...props
}: Omit<TextInputProps, 'value' | 'onChange' | 'type'> & {
  value: string | undefined;
  onChange: (iso: string | undefined) => void;
  ref?: Ref<HTMLInputElement>;
}) {
  return (
    <TextInput
      type="datetime-local"
      ref={ref}
      {...props}
      value={toLocalInput(value)}
      max={toLocalInput(new Date().toISOString())}
      onChange={(e) => {
        const v = e.currentTarget.value;
        const d = v ? new Date(v) : null;
        onChange(d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined);
      }}
    />
  );
}
