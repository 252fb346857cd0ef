import { Tensor } from '../tensor/tensor.js';
import { type DType, allocate } from '../tensor/dtype.js';
import { TensorDataset } from './dataset.js';

export interface CsvOptions {
  delimiter?: string;
  /** The first row names the columns (default true); otherwise columns are named '0', '1', ... */
  header?: boolean;
}

export interface CsvTable {
  columns: string[];
  rows: string[][];
}

/**
 * Parses CSV text (RFC 4180: quoted fields may hold delimiters, newlines and doubled quotes; CRLF or LF).
 * Every row must have as many fields as the first.
 * @example parseCsv('x,y\n1,2\n3,4').rows // [['1','2'],['3','4']]
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const { delimiter = ',', header = true } = options;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') throw new Error(`parseCsv: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delimiter)}`);
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = 0;
  const endRow = () => {
    row.push(field);
    field = '';
    if (!(row.length === 1 && row[0] === '')) records.push(row); // skip blank lines
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error(`parseCsv: unterminated quoted field (starting before line ${line})`);
  if (field !== '' || row.length > 0) endRow();
  if (records.length === 0) return { columns: [], rows: [] };
  const width = records[0].length;
  records.forEach((r, k) => {
    if (r.length !== width) throw new Error(`parseCsv: record ${k + 1} has ${r.length} fields, expected ${width} (as the first record)`);
  });
  const columns = header ? records.shift()! : records[0].map((_, j) => String(j));
  return { columns, rows: records };
}

export interface CsvDatasetOptions extends CsvOptions {
  /** Column(s) of the target; the rest (or `features`) are inputs. */
  target: string | string[];
  features?: string[];
  /** Default float32 for features; the target defaults to int32 when every value is an integer, else float32. */
  dtype?: DType;
  targetDtype?: DType;
}

/**
 * A TensorDataset of [features, target] from numeric CSV text; a non-numeric cell is an error naming its row and column.
 * @example const ds = csvDataset('a,b,label\n0.5,1,0\n0.1,2,1', { target: 'label' }); // x [2, 2], y [2]
 */
export function csvDataset(text: string, options: CsvDatasetOptions): TensorDataset {
  const table = parseCsv(text, options);
  const targets = Array.isArray(options.target) ? options.target : [options.target];
  const find = (name: string) => {
    const j = table.columns.indexOf(name);
    if (j < 0) throw new Error(`csvDataset: no column '${name}' (columns: ${table.columns.join(', ')})`);
    return j;
  };
  const targetCols = targets.map(find);
  const featureCols = options.features ? options.features.map(find) : table.columns.map((_, j) => j).filter((j) => !targetCols.includes(j));
  const numbers = (cols: number[]) => table.rows.map((r, k) => cols.map((j) => {
    const v = Number(r[j]);
    if (r[j].trim() === '' || Number.isNaN(v) && r[j].trim().toLowerCase() !== 'nan') {
      throw new Error(`csvDataset: row ${k + 1}, column '${table.columns[j]}': expected a number, got ${JSON.stringify(r[j])}`);
    }
    return v;
  }));
  const build = (values: number[][], dtype: DType, squeeze: boolean) => {
    const data = allocate(dtype, values.length * (values[0]?.length ?? 0));
    values.forEach((r, k) => data.set(r, k * r.length));
    const width = values[0]?.length ?? 0;
    return Tensor.fromArray(data, squeeze ? [values.length] : [values.length, width], dtype);
  };
  const x = numbers(featureCols);
  const y = numbers(targetCols);
  const targetDtype = options.targetDtype ?? (y.every((r) => r.every(Number.isInteger)) ? 'int32' : 'float32');
  return new TensorDataset(build(x, options.dtype ?? 'float32', false), build(y, targetDtype, targetCols.length === 1));
}
