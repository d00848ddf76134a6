/**
 * ISP-scale data for `pnpm bench`, generated inside PostgreSQL (seconds, not minutes): leads,
 * customers with subscriptions, payments, and one staff account per role with a known password.
 */
import type { Role } from '@netflow/contracts';
import { ROLES } from '@netflow/contracts';
import { queryRows, type Database } from '@netflow/db';
import { sql } from 'drizzle-orm';
import { hashPassword } from '../src/modules/auth';

export const BENCH_PASSWORD = 'Bench-Password-2026';

export interface Scale {
  leads: number;
  customers: number;
  payments: number;
}

export async function seed(db: Database, scale: Scale): Promise<Record<Role, { id: string; email: string }>> {
  const hash = await hashPassword(BENCH_PASSWORD);
  const staff = {} as Record<Role, { id: string; email: string }>;
  for (const role of ROLES) {
    const email = `bench-${role}@example.co.ke`;
    const [row] = await queryRows<{ id: string }>(
      db,
      sql`insert into users (name, email, password_hash, role, status) values (${`Bench ${role}`}, ${email}, ${hash}, ${role}, 'active') returning id`,
    );
    if (!row) throw new Error('staff insert');
    staff[role] = { id: row.id, email };
  }
  const sales = staff.sales.id;
  await db.execute(sql`
    insert into leads (name, phone, email, status, source, assignee_id, created_at)
    select
      (array['Wanjiku','Otieno','Achieng','Kamau','Mwangi','Njeri','Kiprop','Chebet','Mutua','Wambui'])[1 + i % 10]
        || ' ' || (array['Kariuki','Omondi','Mutiso','Ndungu','Wekesa','Barasa','Koech','Nyambura','Mohamed','Owino'])[1 + (i / 10) % 10]
        || ' ' || i,
      '07' || lpad((i * 7919 % 100000000)::text, 8, '0'),
      'lead' || i || '@example.co.ke',
      (array['new','contacted','qualified','won','lost'])[1 + i % 5]::lead_status,
      'bench',
      case when i % 3 = 0 then ${sales}::uuid end,
      now() - (i || ' minutes')::interval
    from generate_series(1, ${scale.leads}) as i`);
  const [plan] = await queryRows<{ id: string }>(
    db,
    sql`insert into plans (name, type, download_kbps, upload_kbps, price_cents, validity_days) values ('Bench 10 Mbps', 'pppoe', 10000, 5000, 250000, 30) returning id`,
  );
  if (!plan) throw new Error('plan insert');
  await db.execute(sql`
    insert into customers (name, phone, status, balance_cents, created_at)
    select 'Customer ' || i, '01' || lpad((i * 104729 % 100000000)::text, 8, '0'), 'active', 0, now() - (i || ' hours')::interval
    from generate_series(1, ${scale.customers}) as i`);
  await db.execute(sql`
    insert into subscriptions (customer_id, plan_id, status, starts_at, expires_at)
    select id, ${plan.id}::uuid, 'active', now() - interval '10 days', now() + ((row_number() over (order by id)) % 40 - 5 || ' days')::interval
    from customers`);
  await db.execute(sql`
    insert into payments (method, reference, amount_cents, account_reference, payer_phone, customer_id, status, paid_at)
    select 'mpesa', 'BNC' || lpad(i::text, 9, '0'), 250000, c.account_number, c.phone, c.id, 'applied', now() - (i || ' minutes')::interval
    from generate_series(1, ${scale.payments}) as i
    join (select id, account_number, phone, (row_number() over (order by id)) - 1 as n from customers) c on c.n = i % ${scale.customers}`);
  await db.execute(sql`analyze`);
  return staff;
}
