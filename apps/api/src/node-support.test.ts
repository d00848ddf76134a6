/** The start-up warning about the Node.js version, and its agreement with package.json's engines. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeSupportWarning, supportedNodeRange } from './node-support';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('nodeSupportWarning', () => {
  it.each(['20.19.0', '20.20.2', 'v22.12.0', '22.20.1', '24.0.0', '24.22.3'])('%s is supported: no warning', (version) => {
    expect(nodeSupportWarning(version)).toBeNull();
  });

  it.each(['18.20.4', '20.18.3', '21.7.3', '22.11.0', '23.11.1', '25.1.0', 'v16.0.0'])('%s gets one line of warning', (version) => {
    const warning = nodeSupportWarning(version);
    expect(warning).toContain(`Node.js ${version.replace(/^v/, '')} is not a supported version`);
    expect(warning).toContain('^20.19 || ^22.12 || ^24');
    expect(warning).not.toContain('\n');
  });

  it('the running Node is supported (CI runs 20 and 24)', () => {
    expect(nodeSupportWarning(process.versions.node)).toBeNull();
  });

  it('agrees with engines.node in the root package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(supportedNodeRange());
  });
});
