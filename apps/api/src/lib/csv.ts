/**
 * CSV writing for exports: RFC 4180 quoting, and protection against spreadsheet formula injection
 * (a cell a user typed as `=HYPERLINK(...)` must open as text, not run). Rows are produced page by
 * page from an async source, so an export never holds the whole table in memory.
 */
import { Readable } from 'node:stream';

/**
 * Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula (OWASP's list
 * plus their full-width forms, which some spreadsheets normalise), also after leading spaces.
 */
const FORMULA_START = /^(?:[\t\r\n]|[ ]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/** Text that a spreadsheet will show literally: a leading `'` defuses formula triggers. */
export function defuseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One cell: null → empty, Date → ISO 8601, numbers as they are, text defused and quoted if needed. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = defuseFormula(
    value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
  );
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export interface CsvColumn<T> {
  header: string;
  value: (row: T) => unknown;
}

/**
 * A readable stream of CSV text: a UTF-8 byte-order mark (so Excel reads accents and names
 * correctly), the header line, then one line per row as pages arrive.
 */
export function csvStream<T>(columns: readonly CsvColumn<T>[], pages: AsyncIterable<readonly T[]>): Readable {
  async function* lines() {
    yield `\uFEFF${csvLine(columns.map((c) => c.header))}`;
    for await (const page of pages) {
      if (page.length === 0) continue;
      yield page.map((row) => csvLine(columns.map((c) => c.value(row)))).join('');
    }
  }
  return Readable.from(lines(), { objectMode: false });
}
