/**
 * Where the REST API lives. `/api/v1` is canonical (the OpenAPI document's server); the
 * unversioned `/api` answers the same routes as an alias of v1, without a Deprecation header
 * until a v2 exists. Every REST route (the generated twins, the CSV exports, health and
 * readiness) is registered once per prefix by the same code, so both answer alike: same handler,
 * auth, rate limits and body limits. Webhooks (`/api/hooks/...`) are called by third parties at
 * a URL configured once on their side: they stay unversioned only.
 */
export const API_V1_PREFIX = '/api/v1';
export const API_ALIAS_PREFIX = '/api';

/** Every prefix a REST route is served under, canonical first. */
export const REST_PREFIXES = [API_V1_PREFIX, API_ALIAS_PREFIX] as const;
