// `pnpm audit:deps [pnpm audit options]`: `pnpm audit --prod` over the production dependencies of
// the whole workspace, with one outcome a bare `pnpm audit` blurs: a registry that does not answer
// audit requests (mirrors and proxies often don't). That is reported as "not checked", never as a pass.
//   exit 0  the registry answered: no known vulnerabilities (at the chosen --audit-level)
//   exit 1  the registry answered: vulnerabilities found (the report is above)
//   exit 2  no answer: nothing was checked (registry unreachable, or it refuses audit requests)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Under `pnpm audit:deps`, npm_execpath is the pnpm that runs us: use the same one.
const execPath = process.env.npm_execpath ?? '';
const [command, prefix] = /pnpm\.c?js$/.test(execPath) ? [process.execPath, [execPath]] : ['pnpm', []];

function pnpm(args) {
  const result = spawnSync(command, [...prefix, ...args], { cwd: root, encoding: 'utf8', env: process.env, timeout: 300_000 });
  // Under pnpm, npm_config_* variables of pnpm's own make npm print "npm warn Unknown env config"
  // lines; they say nothing about the audit, so they are dropped.
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((line) => !/^npm warn /i.test(line))
    .join('\n');
  return { status: result.status, output, error: result.error };
}

const registry = pnpm(['config', 'get', 'registry']).output.trim() || 'the configured registry';
const audit = pnpm(['audit', '--prod', ...process.argv.slice(2)]);
const output = audit.output.trimEnd();

// pnpm's codes for "the audit endpoint did not give an answer", and network failures.
const NO_ANSWER =
  /ERR_PNPM_AUDIT_BAD_RESPONSE|ERR_PNPM_AUDIT_ENDPOINT_NOT_EXISTS|ERR_PNPM_FETCH|ERR_PNPM_META_FETCH|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up/;

if (audit.status === 0) {
  process.stdout.write(`${output}\n`);
  process.exit(0);
}
if (audit.status === 1 && !NO_ANSWER.test(output) && /vulnerabilit/i.test(output)) {
  process.stdout.write(`${output}\n`);
  process.stderr.write('audit:deps: vulnerabilities found in production dependencies (see above)\n');
  process.exit(1);
}
const reason = audit.error?.message ?? (output.split('\n').find((line) => NO_ANSWER.test(line)) ?? output.split('\n').at(-1) ?? '').trim();
process.stderr.write(
  `audit:deps: NOT CHECKED: ${registry} did not answer the audit request (${reason || `pnpm exited ${audit.status}`}).\n` +
    'No vulnerability data was read, so this is not a pass. Run it where the registry answers audit requests (the public npm\n' +
    'registry does, unless a proxy or mirror in between refuses them), or pass --registry=<one that does>.\n',
);
process.exit(2);
