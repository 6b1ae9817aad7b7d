import type { BenchResults, ContenderResults, TargetCheck, TargetChecks } from './bench-results.js';
import { contenders, type ContenderName } from './contenders/contenders.js';
import type { CpuFigure } from './cpu-meter.js';

const CPU_LABEL = '  CPU ms per 1,000 events (client + server)';

interface Row {
  label: string;
  value(results: ContenderResults, contender: ContenderName): string;
  target?: TargetCheck;
}

/** A Markdown table: rows are measurements, columns the contenders, then the target for ours and whether it is met. */
export function formatResultsTable(results: BenchResults, names: readonly ContenderName[], targets: TargetChecks, catchUpEvents: number): string {
  const { sequentialRate, sequentialP99, batchRate, catchUpRate, catchUpVsEmmett } = targets;
  const rows: Row[] = [
    { label: '1 event per append, sequential: events/s', value: (r) => rate(r.sequential?.eventsPerSecond), target: sequentialRate },
    { label: '  p50 latency (ms)', value: (r) => ms(r.sequential?.p50Ms) },
    { label: '  p99 latency (ms)', value: (r) => ms(r.sequential?.p99Ms), target: sequentialP99 },
    { label: '  ÷ raw COPY', value: (r) => ratio(r.sequential, results.copy?.sequential) },
    { label: CPU_LABEL, value: (r) => cpuPerThousand(r.sequential) },
    { label: '1 event per append, 8 concurrent callers: events/s', value: (r) => rate(r.concurrent?.eventsPerSecond) },
    { label: '  p50 latency (ms)', value: (r) => ms(r.concurrent?.p50Ms) },
    { label: '  p99 latency (ms)', value: (r) => ms(r.concurrent?.p99Ms) },
    { label: '  ÷ raw COPY', value: (r) => ratio(r.concurrent, results.copy?.concurrent) },
    { label: CPU_LABEL, value: (r) => cpuPerThousand(r.concurrent) },
    { label: '100 events per append: events/s', value: (r) => rate(r.batch?.eventsPerSecond), target: batchRate },
    { label: '  ÷ raw COPY', value: (r) => ratio(r.batch, results.copy?.batch) },
    { label: CPU_LABEL, value: (r) => cpuPerThousand(r.batch) },
    {
      label: `catch-up into the appointments read model, ${catchUpEvents.toLocaleString('en-US')} events: events/s`,
      value: (r, contender) => (contender === 'copy' && r.catchUp ? `${rate(r.catchUp.eventsPerSecond)} (one INSERT … SELECT)` : rate(r.catchUp?.eventsPerSecond)),
      target: catchUpRate,
    },
    { label: CPU_LABEL, value: (r) => cpuPerThousand(r.catchUp) },
    { label: '  catch-up, ours ÷ Emmett', value: (_r, contender) => (contender === 'ledger' ? times(catchUpVsEmmett.actual) : ''), target: catchUpVsEmmett },
  ];
  const header = ['measurement', ...names.map((name) => contenders[name].title), 'target (ours)', 'met'];
  const body = rows.map((row) => [row.label, ...names.map((name) => row.value(results[name] ?? {}, name)), row.target?.target ?? '', row.target ? verdict(row.target) : '']);
  return markdownTable(header, body);
}

function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...body.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

function verdict(check: TargetCheck): string {
  if (check.met === null) return 'n/a';
  return check.met ? 'yes' : 'NO';
}

function rate(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toLocaleString('en-US');
}

function ms(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(2);
}

/** A contender's rate as a share of the ceiling's in the same run (the issue's targets are such ratios). */
function ratio(figure: { eventsPerSecond: number } | undefined, ceiling: { eventsPerSecond: number } | undefined): string {
  return figure && ceiling ? `${(figure.eventsPerSecond / ceiling.eventsPerSecond).toFixed(2)}x` : 'n/a';
}

function times(value: number | null): string {
  return value === null ? 'n/a' : `${value}x`;
}

function cpuPerThousand(figure: (CpuFigure & { events: number }) | undefined): string {
  if (!figure) return 'n/a';
  const perThousand = (cpuMs: number) => Math.round((cpuMs / figure.events) * 1000 * 10) / 10;
  const server = figure.serverCpuMs === null ? '?' : perThousand(figure.serverCpuMs).toString();
  return `${perThousand(figure.clientCpuMs)} + ${server}`;
}
