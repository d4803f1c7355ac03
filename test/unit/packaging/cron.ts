/**
 * A small validator for the standard 5-field cron syntax PingSource schedules use
 * (minute hour day-of-month month day-of-week), because a plain kube-apiserver does not run
 * Knative's webhook that would reject a bad schedule. It accepts a strict subset of what
 * Knative's parser (robfig/cron) accepts: `*`, `n`, `a-b`, each optionally `/step`, comma
 * lists, and month/weekday names; no `@hourly` descriptors, `?`, or `CRON_TZ=` prefix (the
 * timezone has its own field). The result lists the values each field matches.
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  // 7 is Sunday as well as 0, as in Vixie cron and robfig/cron.
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

export interface CronSchedule {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  readonly daysOfWeek: readonly number[];
}

export type CronResult =
  | { readonly ok: true; readonly schedule: CronSchedule }
  | { readonly ok: false; readonly error: string };

export function parseCron(expression: string): CronResult {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length || parts[0] === '') {
    return { ok: false, error: `expected 5 fields, got ${parts[0] === '' ? 0 : parts.length}` };
  }
  const values: number[][] = [];
  for (const [index, spec] of FIELDS.entries()) {
    const parsed = parseField(parts[index] ?? '', spec);
    if (typeof parsed === 'string') return { ok: false, error: `${spec.name}: ${parsed}` };
    values.push(parsed);
  }
  const [minutes = [], hours = [], daysOfMonth = [], months = [], weekdays = []] = values;
  const daysOfWeek = [...new Set(weekdays.map((day) => day % 7))].sort((a, b) => a - b);
  return { ok: true, schedule: { minutes, hours, daysOfMonth, months, daysOfWeek } };
}

/** The sorted values a field matches, or why it is invalid. */
function parseField(field: string, spec: FieldSpec): number[] | string {
  const matched = new Set<number>();
  for (const item of field.split(',')) {
    const range = parseItem(item, spec);
    if (typeof range === 'string') return `"${item}" ${range}`;
    for (let value = range.from; value <= range.to; value += range.step) matched.add(value);
  }
  return [...matched].sort((a, b) => a - b);
}

interface Range {
  readonly from: number;
  readonly to: number;
  readonly step: number;
}

function parseItem(item: string, spec: FieldSpec): Range | string {
  const [base = '', step, extra] = item.split('/');
  if (extra !== undefined) return 'has more than one step';
  const stepValue = step === undefined ? 1 : parseNumber(step);
  if (stepValue === undefined || stepValue < 1) return 'has a step that is not a positive number';
  if (base === '*') return { from: spec.min, to: spec.max, step: stepValue };
  const [low = '', high, rest] = base.split('-');
  if (rest !== undefined) return 'is not a range a-b';
  const from = parseValue(low, spec);
  const to = high === undefined ? from : parseValue(high, spec);
  if (from === undefined || to === undefined) return `is not a value in ${spec.min}-${spec.max}`;
  if (from > to) return 'is a range that runs backwards';
  // `5/10` (a single value with a step) means something different in each cron dialect.
  if (step !== undefined && high === undefined) return 'has a step on a single value';
  return { from, to, step: stepValue };
}

function parseValue(text: string, spec: FieldSpec): number | undefined {
  const byName = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = byName >= 0 ? byName + spec.min : parseNumber(text);
  return value !== undefined && value >= spec.min && value <= spec.max ? value : undefined;
}

function parseNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
