import { boolean, integer, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt } from './_columns';

export const planTypeEnum = pgEnum('plan_type', ['pppoe', 'hotspot']);

export const plans = pgTable(
  'plans',
  {
    id: id(),
    name: text().notNull(),
    type: planTypeEnum().notNull(),
    downloadKbps: integer().notNull(),
    uploadKbps: integer().notNull(),
    priceCents: integer().notNull(),
    validityDays: integer().notNull(),
    active: boolean().notNull().default(true),
    /** The RouterOS PPP / hotspot user profile subscribers of this plan get (e.g. `10M`). */
    routerProfile: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('plans_name_key').on(t.name)],
);
