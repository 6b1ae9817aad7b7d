import { openBenchServer } from '../bench-server.js';
import { readBenchSettings, warmUpCount } from '../bench-settings.js';
import { openLedgerAppender } from '../contenders/ledger/ledger-appender.js';
import { CpuMeter } from '../cpu-meter.js';
import { measureBatchAppends, measureSingleAppends } from './append-workloads.js';
import type { ThroughputFigure } from './latency-summary.js';

/**
 * Only the ledger's append measurements of `npm run bench`, in this one process, each on a fresh database: a quick
 * before/after check of a change on the append path (`--scale=` as for the bench; `--rounds=` repeats them).
 * Build with `npm run build`, then `node dist/bench/appends/appends-alone.js --scale=0.5 --rounds=3`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const settings = readBenchSettings(process.env, args);
  const rounds = Number(args.find((arg) => arg.startsWith('--rounds='))?.split('=')[1] ?? 1);
  const server = await openBenchServer(process.env.DATABASE_URL || null, (line) => console.error(`[appends] ${line}`));
  const meter = new CpuMeter(server.postmasterPid);
  try {
    for (let round = 1; round <= rounds; round++) {
      const measure = async (label: string, run: (url: string) => Promise<ThroughputFigure>) => {
        const url = await server.createDatabase(`bench_appends_alone`);
        const figure = await run(url);
        console.log(
          `round ${round} ${label}: ${figure.eventsPerSecond} events/s, p50 ${figure.p50Ms} ms, p99 ${figure.p99Ms} ms, ` +
            `client CPU ${figure.clientCpuMs} ms, server CPU ${figure.serverCpuMs} ms`,
        );
      };
      await measure('sequential', async (url) => {
        const appender = await openLedgerAppender(url);
        const warmUp = warmUpCount(settings, settings.sequentialAppends);
        try {
          return await measureSingleAppends(appender, { callers: 1, appendsPerCaller: settings.sequentialAppends, warmUpAppendsPerCaller: warmUp, seed: settings.seed }, meter);
        } finally {
          await appender.close();
        }
      });
      await measure(`concurrent x${settings.concurrentCallers}`, async (url) => {
        const appender = await openLedgerAppender(url);
        const perCaller = settings.appendsPerConcurrentCaller;
        try {
          return await measureSingleAppends(
            appender,
            { callers: settings.concurrentCallers, appendsPerCaller: perCaller, warmUpAppendsPerCaller: warmUpCount(settings, perCaller), seed: settings.seed },
            meter,
          );
        } finally {
          await appender.close();
        }
      });
      await measure(`batches of ${settings.eventsPerBatch}`, async (url) => {
        const appender = await openLedgerAppender(url);
        try {
          return await measureBatchAppends(
            appender,
            { appends: settings.batchAppends, eventsPerAppend: settings.eventsPerBatch, warmUpAppends: warmUpCount(settings, settings.batchAppends), seed: settings.seed },
            meter,
          );
        } finally {
          await appender.close();
        }
      });
    }
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
