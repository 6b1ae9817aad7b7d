import 'reflect-metadata';
import { measureBatchAppends, measureSingleAppends } from './appends/append-workloads.js';
import type { Appender } from './appends/appender.js';
import { contenders } from './contenders/contenders.js';
import { CpuMeter } from './cpu-meter.js';
import type { WorkerFigure, WorkerReply, WorkerRequest, WorkerSetup, WorkerTask } from './worker-protocol.js';

/** Entry point of one contender's process, forked by run.ts: the setup comes as argv[2], tasks over IPC. */
const setup = JSON.parse(process.argv[2]) as WorkerSetup;
const contender = contenders[setup.contender];
const meter = new CpuMeter(setup.postmasterPid);
let appender: Promise<Appender> | null = null;

async function perform(task: WorkerTask): Promise<WorkerFigure> {
  switch (task.kind) {
    case 'single-appends':
      return measureSingleAppends(await openedAppender(), task.settings, meter);
    case 'batch-appends':
      return measureBatchAppends(await openedAppender(), task.settings, meter);
    case 'catch-up':
      if (!contender.measureCatchUp) throw new Error(`${setup.contender} measures appends only`);
      return contender.measureCatchUp(setup.catchUpUrl, task.settings, meter);
    case 'close':
      await (await appender)?.close();
      appender = null;
      return null;
  }
}

function openedAppender(): Promise<Appender> {
  appender ??= contender.openAppender(setup.appendsUrl);
  return appender;
}

process.on('message', (request: WorkerRequest) => {
  perform(request.task).then(
    (figure) => reply({ id: request.id, ok: true, figure }),
    (error: unknown) => reply({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function reply(message: WorkerReply): void {
  process.send?.(message);
}

// The orchestrator disconnects after the `close` task: nothing is left to finish.
process.on('disconnect', () => process.exit(0));
