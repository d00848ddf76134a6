/**
 * Request bodies are JSON or nothing. Fastify's text/plain parser is removed (415 instead): it
 * would let a foreign page POST here without a CORS preflight. JSON is parsed with the guard
 * against prototype poisoning, and refused with 400 when nested deeper than any form needs: a
 * 100,000-deep array parses fine but overflows the stack of whatever walks it next (a 500).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Deepest nesting of arrays/objects accepted (a tRPC batch of forms needs about five). */
export const MAX_JSON_DEPTH = 32;

class JsonTooDeep extends Error {
  readonly statusCode = 400;
  readonly code = 'JSON_TOO_DEEP';
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/** One pass over the text, counting brackets outside strings; no recursion, so no stack to overflow. */
export function jsonDepthExceeds(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth -= 1;
  }
  return false;
}

type JsonParser = (req: FastifyRequest, text: string) => Promise<unknown>;

/**
 * Checks JSON text the way every JSON body is checked (depth, prototype poisoning) and answers the
 * parsed value. The tRPC scope uses it on the raw text its adapter parses itself.
 */
export function guardedJsonParser(app: Pick<FastifyInstance, 'getDefaultJsonParser'>): JsonParser {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (req, text) =>
    new Promise((resolve, reject) => {
      if (jsonDepthExceeds(text)) {
        reject(new JsonTooDeep());
        return;
      }
      void parse(req, text, (error, value) => (error ? reject(error) : resolve(value)));
    });
}

const jsonBodies: FastifyPluginAsync = async (app) => {
  app.removeContentTypeParser('text/plain');
  const parse = guardedJsonParser(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req: FastifyRequest, text: string | Buffer) =>
    parse(req, String(text)),
  );
};

export default fp(jsonBodies, { name: 'json-bodies' });
