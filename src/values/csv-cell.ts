import type { ColumnSpec } from '../mapping/schema.js';
import { CellError } from '../read/cell.js';
import type { RawCell } from '../read/sheet.js';

/**
 * A CSV folder holds text only: what a spreadsheet's CSV export wrote, each cell as it was displayed (French
 * Excel: decimal comma, VRAI/FAUX, #VALEUR!). Where a workbook's cell is the likely origin of a text, this
 * gives that cell back, so that a CSV folder gets the verdict its workbook would have got: a number shown by
 * Excel's General format in an identifier column, a date cell shown with its time or as its serial number,
 * a formula error. Any other text stays the text it is.
 */

/** Formula errors as Excel displays them, in French and in English. */
const FORMULA_ERRORS = new Set([
  '#N/A', '#NUL!', '#NULL!', '#DIV/0!', '#VALEUR!', '#VALUE!', '#REF!', '#NOM?', '#NAME?', '#NOMBRE!', '#NUM!', '#EPARS!', '#SPILL!', '#CALC!',
]);

/** A whole number as Excel displays it (never a leading zero): 11111111. */
const WHOLE = /^(?:0|[1-9]\d*)$/;
/** A number with decimals or in scientific notation as the General format displays it: 130000011,5 or 1,11111E+13. */
const DECIMAL = /^-?(?:0|[1-9]\d*),\d+$/;
const SCIENTIFIC = /^-?\d(?:,\d+)?E[+-]\d+$/i;
/** A date cell whose format also shows the time: 12/03/2022 10:30. */
const DATE_TIME = /^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})\s+\d{1,2}:\d{2}(?::\d{2})?$/;

const frenchNumber = (text: string) => Number(text.replace(',', '.'));

/** An identifier cell (a text column with a pattern or digits to pad) that Excel showed as a number. */
function identifierCell(cell: RawCell, text: string, col: ColumnSpec): RawCell {
  if (!col.pattern && !col.padDigits) return cell;
  // Scientific notation: the digits are lost; the number is read as imprecise, shown as exported.
  if (SCIENTIFIC.test(text)) return { ...cell, value: frenchNumber(text), numFmt: '0.00E+00', shown: text };
  if (DECIMAL.test(text)) return { ...cell, value: frenchNumber(text), shown: text };
  // Digits only, fewer than the column's: a number cell that lost its leading zeros, as in the workbook.
  if (col.padDigits && WHOLE.test(text) && text.length < col.padDigits) return { ...cell, value: Number(text) };
  return cell;
}

/** A date cell shown with its time, or as its serial number (a date cell in the General format). */
function dateCell(cell: RawCell, text: string): RawCell {
  const m = DATE_TIME.exec(text);
  if (m) return { ...cell, value: m[1], shown: text };
  if (WHOLE.test(text) || DECIMAL.test(text)) return { ...cell, value: frenchNumber(text), shown: text };
  return cell;
}

/** The cell a CSV text most likely was in the workbook it was exported from (see above). */
export function exportedCell(cell: RawCell, col: ColumnSpec): RawCell {
  const v = cell.value;
  if (typeof v !== 'string') return cell;
  if (FORMULA_ERRORS.has(v.toUpperCase())) return { ...cell, value: new CellError(v) };
  if (col.type === 'text') return identifierCell(cell, v, col);
  if (col.type === 'date') return dateCell(cell, v);
  return cell;
}
