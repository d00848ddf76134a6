/**
 * The Node.js lines NetFlow CRM supports: active and maintenance LTS lines from the release that
 * has everything it relies on (require(esm), stable fetch and test tooling). CI runs the suite on
 * 20 and 24 (see .ci/run); 22 lies between them. The root package.json `engines.node` says the same
 * (a test keeps them equal). Odd lines (21, 23) are short-lived and not supported.
 */
export const SUPPORTED_NODE_LINES: readonly { major: number; minMinor: number }[] = [
  { major: 20, minMinor: 19 },
  { major: 22, minMinor: 12 },
  { major: 24, minMinor: 0 },
];

/** The supported lines as a semver range, as in package.json: `^20.19 || ^22.12 || ^24`. */
export function supportedNodeRange(): string {
  return SUPPORTED_NODE_LINES.map(({ major, minMinor }) => (minMinor === 0 ? `^${major}` : `^${major}.${minMinor}`)).join(' || ');
}

/**
 * One line of warning when `version` (`process.versions.node`, e.g. "21.7.3") is not on a
 * supported line, else null. A warning, not a refusal: the server may well work, but nobody tested it.
 */
export function nodeSupportWarning(version: string): string | null {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  const supported = SUPPORTED_NODE_LINES.some((line) => line.major === major && (minor ?? 0) >= line.minMinor);
  if (supported) return null;
  return `Node.js ${version.replace(/^v/, '')} is not a supported version (supported: ${supportedNodeRange()}); it may work, but is untested`;
}
