/**
 * The standard List parameters (List PhoneCalls and List PhoneCallEvents pages,
 * reference §1 and §2.4): `filterBy`, `filterOp`, `filterValue`, `sortOrder`,
 * `fields`, `count`, `startIndex`, with the generic list errors of the UAPI v5
 * HTTP Return Codes page (`filterby_invalid`, `filterop_invalid`,
 * `filtervalue_invalid`, `sortorder_invalid`, `fields_invalid`, `count_invalid`).
 *
 * Applied to the JSON representations, so what is filtered, sorted and trimmed
 * is exactly what the client sees.
 */
import { ApiError } from './errors.js';
import { numberLike } from './validate.js';

type Json = Record<string, unknown>;

export const FILTER_OPS = ['contains', 'equals', 'greaterThan', 'inArray', 'lessThan', 'present', 'startsWith'] as const;
type FilterOp = (typeof FILTER_OPS)[number];

export interface ListRules {
  /** fields `filterBy` may name (List PhoneCalls: id, published; PhoneCallEvents: any field) */
  filterable: readonly string[];
  /** fields `fields` may name */
  fields: readonly string[];
  /** fields always returned, whatever `fields` says (the resource's id and link) */
  always: readonly string[];
  /** the field records are ordered by ("always ordered by their publish time") */
  sortKey: string;
  /** fields holding dates, compared as dates */
  dates?: readonly string[];
}

const DEFAULT_COUNT = 20;
const MAX = 5000;

export function applyListQuery(items: Json[], query: Record<string, string>, rules: ListRules): Json[] {
  const count = numberLike(query.count) ?? DEFAULT_COUNT;
  const start = numberLike(query.startIndex) ?? 0;
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX)) throw new ApiError('count_invalid');
  if (!(Number.isInteger(start) && start >= 0 && start <= MAX)) throw new ApiError('startindex_invalid');

  const order = query.sortOrder ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending') throw new ApiError('sortorder_invalid');
  const fields = query.fields === undefined ? undefined : fieldList(query.fields, rules);
  const keep = filterOf(query, rules);

  const sign = order === 'ascending' ? 1 : -1;
  const sorted = items.filter(keep).sort((a, b) => sign * compare(a[rules.sortKey], b[rules.sortKey], rules.dates?.includes(rules.sortKey)));
  const page = sorted.slice(start, start + count);
  if (!fields) return page;
  return page.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => fields.has(k) || rules.always.includes(k))));
}

function fieldList(raw: string, rules: ListRules): Set<string> {
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0 || names.some((n) => !rules.fields.includes(n))) throw new ApiError('fields_invalid');
  return new Set(names);
}

function filterOf(query: Record<string, string>, rules: ListRules): (item: Json) => boolean {
  const { filterBy, filterOp, filterValue } = query;
  if (filterBy === undefined) {
    // An operator or a value without a field to apply it to.
    if (filterOp !== undefined || filterValue !== undefined) throw new ApiError('filterby_invalid');
    return () => true;
  }
  if (!rules.filterable.includes(filterBy)) throw new ApiError('filterby_invalid');
  const op = (filterOp ?? 'equals') as FilterOp;
  if (!FILTER_OPS.includes(op)) throw new ApiError('filterop_invalid');
  if (op === 'present') return (item) => item[filterBy] !== undefined && item[filterBy] !== null;
  if (filterValue === undefined || filterValue === '') throw new ApiError('filtervalue_invalid');
  const isDate = rules.dates?.includes(filterBy) ?? false;
  if (isDate && (op === 'greaterThan' || op === 'lessThan') && Number.isNaN(Date.parse(filterValue))) {
    throw new ApiError('filtervalue_invalid', 'Value supplied in filterValue parameter is invalid. It must be a date, like 2012-06-27T16:08:55+03:00.');
  }
  const text = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  switch (op) {
    case 'equals':
      return (item) => text(item[filterBy]) === filterValue;
    case 'contains':
      return (item) => text(item[filterBy])?.includes(filterValue) ?? false;
    case 'startsWith':
      return (item) => text(item[filterBy])?.startsWith(filterValue) ?? false;
    case 'inArray': {
      const set = new Set(filterValue.split(',').map((s) => s.trim()));
      return (item) => set.has(text(item[filterBy]) ?? '\u0000');
    }
    case 'greaterThan':
      return (item) => item[filterBy] !== undefined && compare(item[filterBy], filterValue, isDate) > 0;
    case 'lessThan':
      return (item) => item[filterBy] !== undefined && compare(item[filterBy], filterValue, isDate) < 0;
  }
}

/** Dates as instants, numeric strings as numbers, anything else as text. */
function compare(a: unknown, b: unknown, isDate = false): number {
  if (isDate) return (Date.parse(String(a)) || 0) - (Date.parse(String(b)) || 0);
  const na = numberLike(a);
  const nb = numberLike(b);
  if (na !== undefined && nb !== undefined && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a ?? '').localeCompare(String(b ?? ''));
}
