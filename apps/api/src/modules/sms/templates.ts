/**
 * The four automatic messages' texts. Rows are created from the built-in defaults on first read;
 * admins edit them (audited) and preview them rendered with sample values or a chosen customer's.
 */
import {
  DEFAULT_SMS_TEMPLATES,
  renderSmsTemplate,
  SMS_PLACEHOLDERS,
  SMS_TEMPLATE_KEYS,
  SMS_TEMPLATE_LABELS,
  smsSegments,
  type SmsPreview,
  type SmsPreviewInput,
  type SmsTemplate,
  type SmsTemplateKey,
  type SmsTemplateUpdateInput,
} from '@netflow/contracts';
import { smsTemplates, users, type Database } from '@netflow/db';
import { eq } from 'drizzle-orm';
import type { SmsConfig } from '../../config';
import type { StaffActor } from '../../lib/actor';
import { notFound } from '../../lib/errors';
import { audit } from '../audit';
import { customerSnapshot, SAMPLE_VALUES, type SmsValues } from './variables';

/** Inserts any missing template with its default text (harmless when they all exist). */
async function ensureTemplates(db: Database): Promise<void> {
  await db
    .insert(smsTemplates)
    .values(SMS_TEMPLATE_KEYS.map((key) => ({ key, body: DEFAULT_SMS_TEMPLATES[key] })))
    .onConflictDoNothing({ target: smsTemplates.key });
}

/** The current text of one template (the default when nobody has saved one). */
export async function templateBody(db: Database, key: SmsTemplateKey): Promise<string> {
  const [row] = await db.select({ body: smsTemplates.body }).from(smsTemplates).where(eq(smsTemplates.key, key)).limit(1);
  return row?.body ?? DEFAULT_SMS_TEMPLATES[key];
}

function sampleValues(sms: Pick<SmsConfig, 'paybill'>): SmsValues {
  return { ...SAMPLE_VALUES, paybill: sms.paybill ?? '' };
}

export async function listTemplates(db: Database, sms: Pick<SmsConfig, 'paybill'>) {
  await ensureTemplates(db);
  const rows = await db
    .select({
      key: smsTemplates.key,
      body: smsTemplates.body,
      updatedAt: smsTemplates.updatedAt,
      updatedByName: users.name,
      updatedById: smsTemplates.updatedById,
    })
    .from(smsTemplates)
    .leftJoin(users, eq(users.id, smsTemplates.updatedById));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const items: SmsTemplate[] = SMS_TEMPLATE_KEYS.map((key) => {
    const row = byKey.get(key);
    const body = row?.body ?? DEFAULT_SMS_TEMPLATES[key];
    return {
      key,
      label: SMS_TEMPLATE_LABELS[key],
      body,
      defaultBody: DEFAULT_SMS_TEMPLATES[key],
      // Only an edit by a person counts as "changed"; the first-read insert has no author.
      updatedAt: row?.updatedById ? row.updatedAt.toISOString() : null,
      updatedByName: row?.updatedByName ?? null,
      sample: smsSegments(renderSmsTemplate(body, sampleValues(sms))),
    };
  });
  return { items, placeholders: { ...SMS_PLACEHOLDERS } };
}

export async function updateTemplate(db: Database, actor: StaffActor, sms: Pick<SmsConfig, 'paybill'>, input: SmsTemplateUpdateInput) {
  await db.transaction(async (tx) => {
    await ensureTemplates(tx);
    const [current] = await tx.select().from(smsTemplates).where(eq(smsTemplates.key, input.key)).for('update');
    if (!current) throw notFound('Template');
    if (current.body === input.body) return;
    await tx.update(smsTemplates).set({ body: input.body, updatedById: actor.user.id }).where(eq(smsTemplates.key, input.key));
    await audit(tx, actor, {
      action: 'sms_template.update',
      entityType: 'sms_template',
      entityId: null,
      changes: { key: input.key, body: { from: current.body, to: input.body } },
    });
  });
  const { items } = await listTemplates(db, sms);
  const updated = items.find((t) => t.key === input.key);
  if (!updated) throw notFound('Template');
  return updated;
}

/** Renders the saved template, or `body` as typed, with sample values or a chosen customer's. */
export async function previewTemplate(db: Database, sms: Pick<SmsConfig, 'paybill'>, input: SmsPreviewInput): Promise<SmsPreview> {
  const body = input.body ?? (await templateBody(db, input.key));
  let values: SmsValues = sampleValues(sms);
  const warnings: string[] = [];
  if (input.customerId) {
    const snapshot = await customerSnapshot(db, input.customerId);
    if (!snapshot) throw notFound('Customer');
    // A customer has no payment to show: the amount stays a sample.
    values = { ...snapshot.values, amount: SAMPLE_VALUES.amount, paybill: sms.paybill ?? '' };
    if (snapshot.smsOptOut) warnings.push('This customer has opted out of SMS: nothing would be sent to them.');
  }
  if (body.includes('{paybill}') && !sms.paybill) warnings.push('{paybill} is empty: SMS_PAYBILL is not set.');
  const empty = Object.entries(values)
    .filter(([name, value]) => name !== 'paybill' && value === '' && body.includes(`{${name}}`))
    .map(([name]) => `{${name}}`);
  if (empty.length > 0) warnings.push(`Empty for this customer: ${empty.join(', ')}.`);
  const text = renderSmsTemplate(body, values);
  return { text, ...smsSegments(text), values: values, sample: !input.customerId, warnings };
}
