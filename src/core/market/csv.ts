import { AppError } from '../errors.ts';

/** One parsed CSV record and the 1-based line it started on. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * RFC 4180-style CSV reader: quoted fields with doubled quotes, CRLF or LF, leading BOM.
 * Hand-written because the accepted dialect is small and the errors must name the line.
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let quotedFieldClosed = false;
  let i = 0;

  const endField = (): void => {
    fields.push(field);
    field = '';
    quotedFieldClosed = false;
  };
  const endRecord = (): void => {
    endField();
    // Blank lines carry no data; skipping them keeps trailing newlines harmless.
    if (!(fields.length === 1 && fields[0].trim() === '')) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < src.length) {
    const ch = src[i];
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        quotedFieldClosed = true;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"') {
      if (field.trim() !== '' || quotedFieldClosed) {
        throw new AppError('invalid_csv', `Unexpected quote inside an unquoted field on line ${line}`, [
          { line, message: 'a quote may only open a field' },
        ]);
      }
      field = '';
      inQuotes = true;
    } else if (ch === ',') {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      endRecord();
      if (ch === '\r' && src[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else if (!quotedFieldClosed) {
      field += ch;
    } else if (ch.trim() !== '') {
      throw new AppError('invalid_csv', `Text after a closing quote on line ${line}`, [
        { line, message: 'a closed quoted field must be followed by a comma or a line end' },
      ]);
    }
    i++;
  }
  if (inQuotes) {
    throw new AppError('invalid_csv', `Unterminated quoted field starting on line ${recordLine}`, [
      { line: recordLine, message: 'quoted field is never closed' },
    ]);
  }
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
