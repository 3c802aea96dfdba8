// CSV that a spreadsheet cannot be tricked by. RFC 4180: a field holding a comma, a double quote, CR or LF is
// enclosed in double quotes, quotes inside doubled. OWASP (CSV injection): a field starting with = + - @ TAB or CR
// is a formula to Excel, LibreOffice and Sheets, so it is prefixed with a single quote (shown as text, never run)
// and quoted. Study ids come from folder names, which anyone who can write an import folder chooses.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, neutralised and quoted as needed. */
export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record: its fields joined by commas, ended by a line feed. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(csvCell).join(',')}\n`;
}

/** The number of records (line ends outside quoted fields) in CSV text made of whole records. */
export function csvRecordCount(text: string): number {
  let quoted = false;
  let records = 0;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) records++;
  }
  return records;
}
