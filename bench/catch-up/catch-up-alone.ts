import 'reflect-metadata';
import { openBenchServer } from '../bench-server.js';
import { readBenchSettings } from '../bench-settings.js';
import { measureCopyCatchUp } from '../contenders/copy/copy-catch-up.js';
import { measureLedgerCatchUp } from '../contenders/ledger/ledger-catch-up.js';
import { CpuMeter } from '../cpu-meter.js';
import { currentLoad } from '../machine.js';
import type { CatchUpFigure, CatchUpSettings } from './catch-up-figure.js';

/**
 * Only the catch-up measurement of `npm run bench`, the ledger's projector and COPY's set-based ceiling in turn, in
 * this one process, each on a fresh database: a quick before/after check of a change to the projector (`--scale=` as
 * for the bench; `--rounds=` repeats the pair). The projector runs in this process, so `node --cpu-prof` profiles it.
 * Build into a folder of your own, then `node <folder>/bench/catch-up/catch-up-alone.js --scale=0.5 --rounds=3`.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const settings = readBenchSettings(process.env, args);
  const rounds = Number(args.find((arg) => arg.startsWith('--rounds='))?.split('=')[1] ?? 1);
  const catchUp: CatchUpSettings = { events: settings.catchUpEvents, seed: settings.seed, seedChunk: settings.seedChunk };
  const server = await openBenchServer(process.env.DATABASE_URL || null, (line) => console.error(`[catch-up] ${line}`));
  const meter = new CpuMeter(server.postmasterPid);
  try {
    for (let round = 1; round <= rounds; round++) {
      const measure = async (label: string, run: (url: string) => Promise<CatchUpFigure>) => {
        const load = currentLoad();
        const figure = await run(await server.createDatabase(`bench_catch_up_alone_${label}`));
        console.log(
          `round ${round} ${label}: ${figure.eventsPerSecond} events/s (${figure.events} in ${figure.seconds} s, ${figure.appointmentRows} rows), ` +
            `client CPU ${figure.clientCpuMs} ms, server CPU ${figure.serverCpuMs} ms, load ${load}`,
        );
        return figure.eventsPerSecond;
      };
      const ledger = await measure('ledger', (url) => measureLedgerCatchUp(url, catchUp, meter));
      const copy = await measure('copy', (url) => measureCopyCatchUp(url, catchUp, meter));
      console.log(`round ${round}: ledger / copy = ${(ledger / copy).toFixed(2)}`);
    }
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
