/**
 * Profile section "Two-step sign-in": enrolment (QR code and secret, confirmed with a first code,
 * then the ten recovery codes shown once), turning it off and replacing the recovery codes (both
 * with the password and a current code).
 *
 * The QR code is SVG made by the server; it is shown as `<img src="data:image/svg+xml;base64,…">`,
 * which the CSP already allows (`img-src 'self' data:`). An SVG loaded as an image runs no script
 * and loads nothing, so the markup never enters the DOM and no CSP directive had to be loosened.
 */
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Image,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { signInCodeSchema, totpCodeSchema } from '@netflow/contracts';
import { IconCheck, IconCopy, IconDownload, IconShieldCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../components/states';
import { notifySuccess } from '../../lib/forms';
import { useTRPC } from '../../trpc';

/** The SVG markup as an image URL (base64 of its UTF-8 bytes). */
function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** The base32 secret in groups of four, easier to type into an app. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

export function TwoStepSignIn({ required }: { required: boolean }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions({}));
  const enabled = me.data?.mfaEnabled ?? false;
  const [codes, setCodes] = useState<string[] | null>(null);

  return (
    <Card data-testid="two-step-sign-in">
      <Group gap="xs" mb="xs" justify="space-between">
        <Group gap="xs">
          <IconShieldCheck size={20} />
          <Title order={3} fz="md">
            Two-step sign-in
          </Title>
        </Group>
        <Badge color={enabled ? 'teal' : 'gray'} variant="light">
          {enabled ? 'On' : 'Off'}
        </Badge>
      </Group>
      {codes ? (
        <RecoveryCodes codes={codes} onDone={() => setCodes(null)} />
      ) : enabled ? (
        <Manage onCodes={setCodes} />
      ) : (
        <Enrol required={required} onCodes={setCodes} />
      )}
    </Card>
  );
}

function Enrol({ required, onCodes }: { required: boolean; onCodes: (codes: string[]) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const setup = useMutation(trpc.auth.mfaSetup.mutationOptions());
  const enable = useMutation(
    trpc.auth.mfaEnable.mutationOptions({
      onSuccess: (result) => {
        onCodes(result.recoveryCodes);
        // On at once here and in the app shell (which stops routing a required role to this page).
        queryClient.setQueryData(trpc.auth.me.queryKey({}), (me) => me && { ...me, mfaEnabled: true });
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey({}) });
        notifySuccess('Sign-in now asks for a code from your app.', 'Two-step sign-in is on');
      },
      onError: (error) => {
        const fieldErrors = (error.data as { fieldErrors?: Record<string, string[] | undefined> } | undefined)?.fieldErrors;
        setCodeError(fieldErrors?.code?.[0] ?? describeError(error));
      },
    }),
  );

  if (!setup.data) {
    return (
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Besides your password, sign-in will ask for a 6-digit code from an authenticator app on your phone (Google Authenticator,
          Microsoft Authenticator, Aegis, 1Password …). Someone who learns your password still cannot get in.
        </Text>
        {required && (
          <Text size="sm" fw={500}>
            Your role requires it: set it up to use the rest of NetFlow CRM.
          </Text>
        )}
        {setup.isError && (
          <Alert color="red" variant="light">
            {describeError(setup.error)}
          </Alert>
        )}
        <Group>
          <Button onClick={() => setup.mutate({})} loading={setup.isPending}>
            Set up two-step sign-in
          </Button>
        </Group>
      </Stack>
    );
  }

  const confirm = () => {
    const parsed = totpCodeSchema.safeParse(code);
    if (!parsed.success) {
      setCodeError(parsed.error.issues[0]?.message ?? 'Enter the 6-digit code');
      return;
    }
    setCodeError(null);
    enable.mutate({ code: parsed.data });
  };

  return (
    <Stack gap="sm">
      <Text size="sm">1. Scan this QR code with your authenticator app, or type the key by hand.</Text>
      <Group align="flex-start" wrap="wrap" gap="lg">
        <Image src={svgDataUrl(setup.data.qrSvg)} alt="QR code for your authenticator app" w={180} h={180} data-testid="mfa-qr" />
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Text size="xs" c="dimmed">
            Key (time-based, 6 digits, every 30 s)
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Code fz="sm" style={{ wordBreak: 'break-all' }} data-testid="mfa-secret" data-secret={setup.data.secret}>
              {grouped(setup.data.secret)}
            </Code>
            <CopyButton value={setup.data.secret}>
              {({ copied, copy }) => (
                <ActionIcon variant="light" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label="Copy key">
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              )}
            </CopyButton>
          </Group>
        </Stack>
      </Group>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          confirm();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">2. Enter the code the app shows now.</Text>
          <Group align="flex-start" gap="sm">
            <TextInput
              aria-label="Code from the app"
              placeholder="123456"
              autoComplete="one-time-code"
              inputMode="numeric"
              w={160}
              value={code}
              onChange={(event) => setCode(event.currentTarget.value)}
              error={codeError}
              data-testid="mfa-enable-code"
            />
            <Button type="submit" loading={enable.isPending}>
              Turn on
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const text = `NetFlow CRM recovery codes (each works once)\n\n${codes.join('\n')}\n`;
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'netflow-recovery-codes.txt';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Stack gap="sm">
      <Alert color="yellow" variant="light" title="Save your recovery codes now">
        They are shown only this once. If you lose your phone, sign in with one of them instead of a code; each works once. Keep them
        somewhere safe, apart from your phone.
      </Alert>
      <SimpleGrid cols={2} spacing="xs" data-testid="recovery-codes">
        {codes.map((c) => (
          <Code key={c} fz="sm" ta="center">
            {c}
          </Code>
        ))}
      </SimpleGrid>
      <Group justify="space-between">
        <Group gap="xs">
          <CopyButton value={codes.join('\n')}>
            {({ copied, copy }) => (
              <Button variant="light" leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button variant="light" leftSection={<IconDownload size={16} />} onClick={download}>
            Download
          </Button>
        </Group>
        <Button onClick={onDone}>I have saved them</Button>
      </Group>
    </Stack>
  );
}

/** Password and a current code (or a recovery code), for turning it off or new recovery codes. */
function useConfirmFields() {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  return {
    password,
    code,
    error,
    setError,
    fields: (
      <>
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        <TextInput
          label="Code from the app, or a recovery code"
          autoComplete="one-time-code"
          value={code}
          onChange={(event) => setCode(event.currentTarget.value)}
        />
      </>
    ),
    parsed(): { password: string; code: string } | null {
      const parsedCode = signInCodeSchema.safeParse(code);
      if (!password) {
        setError('Enter your password');
        return null;
      }
      if (!parsedCode.success) {
        setError(parsedCode.error.issues[0]?.message ?? 'Enter the 6-digit code or a recovery code');
        return null;
      }
      setError(null);
      return { password, code: parsedCode.data };
    },
  };
}

function Manage({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const [mode, setMode] = useState<'idle' | 'disable' | 'codes'>('idle');
  if (mode === 'idle') {
    return (
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Sign-in asks for a code from your authenticator app after your password. A recovery code works instead when you do not have your
          phone.
        </Text>
        <Group>
          <Button variant="light" onClick={() => setMode('codes')}>
            New recovery codes
          </Button>
          <Tooltip label="Needs your password and a current code">
            <Button variant="light" color="red" onClick={() => setMode('disable')}>
              Turn off
            </Button>
          </Tooltip>
        </Group>
      </Stack>
    );
  }
  return mode === 'disable' ? (
    <Disable onCancel={() => setMode('idle')} />
  ) : (
    <NewCodes
      onCancel={() => setMode('idle')}
      onCodes={(codes) => {
        setMode('idle');
        onCodes(codes);
      }}
    />
  );
}

function Disable({ onCancel }: { onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const confirm = useConfirmFields();
  const disable = useMutation(
    trpc.auth.mfaDisable.mutationOptions({
      onSuccess: () => {
        queryClient.setQueryData(trpc.auth.me.queryKey({}), (me) => me && { ...me, mfaEnabled: false });
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey({}) });
        notifySuccess('Sign-in asks for your password only.', 'Two-step sign-in is off');
        onCancel();
      },
      onError: (error) => confirm.setError(describeError(error)),
    }),
  );
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const input = confirm.parsed();
        if (input) disable.mutate(input);
      }}
    >
      <Stack gap="sm">
        <Text size="sm">Turning it off leaves only your password between others and your account.</Text>
        {confirm.error && (
          <Alert color="red" variant="light" role="alert">
            {confirm.error}
          </Alert>
        )}
        {confirm.fields}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" color="red" loading={disable.isPending}>
            Turn off two-step sign-in
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function NewCodes({ onCancel, onCodes }: { onCancel: () => void; onCodes: (codes: string[]) => void }) {
  const trpc = useTRPC();
  const confirm = useConfirmFields();
  const regenerate = useMutation(
    trpc.auth.mfaRecoveryCodes.mutationOptions({
      onSuccess: (result) => onCodes(result.recoveryCodes),
      onError: (error) => confirm.setError(describeError(error)),
    }),
  );
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const input = confirm.parsed();
        if (input) regenerate.mutate(input);
      }}
    >
      <Stack gap="sm">
        <Text size="sm">A new set of ten codes replaces the old ones, which stop working.</Text>
        {confirm.error && (
          <Alert color="red" variant="light" role="alert">
            {confirm.error}
          </Alert>
        )}
        {confirm.fields}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={regenerate.isPending}>
            Make new codes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
