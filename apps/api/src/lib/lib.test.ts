/** The shared list and export helpers, unit by unit (the modules' tests cover them on both engines). */
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, defuseFormula } from './csv';
import { DomainError } from './errors';
import { decodeCursor, encodeCursor } from './pagination';
import { containsPattern, escapeLike } from './search';

const id = '0b6f3c1e-8a7d-4c2b-9f10-2d3e4f5a6b7c';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (error) {
    return error instanceof DomainError ? error.kind : 'THREW';
  }
}

describe('escapeLike', () => {
  it('escapes LIKE wildcards and the escape character itself', () => {
    expect(escapeLike('100%')).toBe('100\\%');
    expect(escapeLike('a_b')).toBe('a\\_b');
    expect(escapeLike('back\\slash')).toBe('back\\\\slash');
    expect(escapeLike("' OR 1=1 --")).toBe("' OR 1=1 --");
    expect(containsPattern('%_')).toBe('%\\%\\_%');
  });
});

describe('cursors', () => {
  it('round-trips a cursor for the same sort', () => {
    const cursor = encodeCursor('createdAt.desc', '2025-01-02T03:04:05.123456Z', id);
    expect(decodeCursor(cursor, 'createdAt.desc', 'timestamptz')).toEqual({ s: 'createdAt.desc', v: '2025-01-02T03:04:05.123456Z', id });
  });

  it('refuses tampered, foreign or malformed cursors with 400', () => {
    const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect(codeOf(() => decodeCursor('not base64 json', 'name.asc', 'text'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(encodeCursor('name.asc', 'Bob', id), 'name.desc', 'text'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(forge({ s: 'name.asc', v: 'Bob', id: "1' or '1'='1" }), 'name.asc', 'text'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(forge({ s: 'createdAt.desc', v: 'yesterday', id }), 'createdAt.desc', 'timestamptz'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(forge({ s: 'n.asc', v: '1.5', id }), 'n.asc', 'integer'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(forge({ s: 'name.asc', v: 'x'.repeat(301), id }), 'name.asc', 'text'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(forge(['name.asc', 'Bob', id]), 'name.asc', 'text'))).toBe('invalid');
    expect(codeOf(() => decodeCursor(forge(null), 'name.asc', 'text'))).toBe('invalid');
  });
});

describe('CSV cells', () => {
  it('defuses every formula trigger', () => {
    for (const evil of ['=1+1', '+254700', '-2', '@SUM(A1)', '\tx', '\rx', '\nx', '  =cmd|/c calc', '＝1+1', '＠x']) {
      expect(defuseFormula(evil).startsWith("'")).toBe(true);
    }
    for (const fine of ['Alice', '0712345678', 'a=b', 'NF-000001', '']) expect(defuseFormula(fine)).toBe(fine);
  });

  it('quotes separators, quotes and line breaks; writes numbers and nulls plainly', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(new Date(Date.UTC(2025, 0, 1)))).toBe('2025-01-01T00:00:00.000Z');
    expect(csvLine(['a', null, 3])).toBe('a,,3\r\n');
  });
});
