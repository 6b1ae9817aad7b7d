import type { BenchServer } from '../bench-server.js';
import { currentLoad } from '../machine.js';
import { measureUi, type TimeFigure, type UiFigure } from './ui.bench.js';

export const UI_TARGETS = { firstLoadMs: 1_500, weekRenderMs: 500, javascriptGzipBytes: 350_000 };

export type { UiFigure };

/** The admin UI section of `npm run bench`: 5 measured visits at scale 1 (never fewer than 3); always 300 appointments. */
export async function measureUiSection(server: BenchServer, scale: number, log: (line: string) => void): Promise<UiFigure> {
  const atStart = currentLoad();
  const databaseUrl = await server.createDatabase('bench_ui');
  const figure = await measureUi(databaseUrl, { visits: Math.max(3, Math.round(5 * scale)) }, log);
  return { ...figure, loadAverage: { atStart, atEnd: currentLoad() } };
}

export function formatUiFigure(figure: UiFigure): string {
  const verdict = (met: boolean) => (met ? 'meets' : 'misses');
  const times = (time: TimeFigure) => `p50 ${time.p50Ms} ms, max ${time.maxMs} ms (${time.samplesMs.join(', ')})`;
  const kB = (bytes: number) => `${Math.round(bytes / 100) / 10} kB`;
  const js = figure.javascript;
  return [
    '',
    `Admin UI in headless Chromium (the browser tests' one), the ledger in its own process, ${figure.visits} visits each in a new browser context ` +
      `(signed in, nothing cached; one unmeasured visit first); load average ${figure.loadAverage.atStart} → ${figure.loadAverage.atEnd}:`,
    `  first load       ${times(figure.firstLoad)}: navigation start of /admin/?date= → its ${figure.onFirstDay} appointments drawn ` +
      `(the max ${verdict(figure.firstLoad.maxMs < UI_TARGETS.firstLoadMs)} the < ${UI_TARGETS.firstLoadMs} ms target)`,
    `  week view        ${times(figure.week)}: click on "Week" → all ${figure.appointments} appointments of ${figure.staff} staff drawn, their fetch included ` +
      `(the max ${verdict(figure.week.maxMs < UI_TARGETS.weekRenderMs)} ${UI_TARGETS.weekRenderMs} ms even so)`,
    `  week drawing     ${times(figure.weekRender)}: the week's last /appointments response → the same frame ` +
      `(the max ${verdict(figure.weekRender.maxMs < UI_TARGETS.weekRenderMs)} the < ${UI_TARGETS.weekRenderMs} ms target)`,
    `  JavaScript sent  ${kB(js.gzipBytes)} gzip (${js.files === 1 ? '1 file' : `${js.files} files`} of /admin/assets, ${kB(js.bytes)} raw; gzip -6 computed here, ` +
      `the ledger sent ${kB(js.sentBytes)} with content-encoding ${js.contentEncodings.join('/')}; ` +
      `${verdict(js.gzipBytes < UI_TARGETS.javascriptGzipBytes)} the < ${kB(UI_TARGETS.javascriptGzipBytes)} gzip target)`,
  ].join('\n');
}
