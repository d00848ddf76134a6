/**
 * The baseline of `pnpm bench`: a bare Fastify route on postgres.js, in its own process, running
 * exactly the SQL the API's leads.list sends (captured from Drizzle by the bench and passed in
 * BENCH_LEADS_SQL, with `$1` the status and `$2` the limit + 1). No authentication, validation,
 * audit or tRPC: what a hand-written route costs.
 */
import Fastify from 'fastify';
import postgres from 'postgres';

const url = process.env.BENCH_DATABASE_URL;
const text = process.env.BENCH_LEADS_SQL;
if (!url || !text) throw new Error('BENCH_DATABASE_URL and BENCH_LEADS_SQL are required');

const client = postgres(url, { max: 10, onnotice: () => {} });
const app = Fastify({ logger: false });

app.get<{ Querystring: { status?: string; limit?: string } }>('/leads', async (req) => {
  const limit = Math.min(100, Number(req.query.limit ?? 50));
  const rows = await client.unsafe(text, [req.query.status ?? 'new', limit + 1]);
  return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null };
});

await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`bare listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => client.end({ timeout: 1 }).then(() => process.exit(0)));
});
