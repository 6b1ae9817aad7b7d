import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CopyCheckpoint } from './copy-checkpoint.js';
import { openCopySource, openCopyTarget, withoutCredentials } from './copy-endpoints.js';
import { copyEvents } from './copy-events.js';

export const USAGE = `Usage: npm run events:copy -- --from <url> --to <url> [--checkpoint <file>] [--batch-size <n>] [--stop-after <n>]

Copies every event, in order, with ids, revisions, metadata and recording times, from one event store to another.
URLs: postgres://… or postgresql://… (PostgreSQL), esdb://… or esdb+discover://… (EventStoreDB / KurrentDB).
Progress is saved in the checkpoint file (default ./.events-copy-checkpoint.json) after each batch: run the
same command again to resume. Stop the ledger first, or run again after stopping it, so that the last events
written are copied too. Afterwards rebuild the read models against the new store.`;

export interface EventsCopyArguments {
  from: string;
  to: string;
  checkpoint: string;
  batchSize?: number;
  stopAfter?: number;
}

export class UsageError extends Error {}

export class HelpRequested extends Error {}

export function parseEventsCopyArguments(argv: string[]): EventsCopyArguments {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      checkpoint: { type: 'string', default: '.events-copy-checkpoint.json' },
      'batch-size': { type: 'string' },
      'stop-after': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new HelpRequested(USAGE);
  if (!values.from || !values.to) throw new UsageError('--from and --to are required');
  return {
    from: values.from,
    to: values.to,
    checkpoint: resolve(values.checkpoint),
    batchSize: positiveInteger(values['batch-size'], '--batch-size'),
    stopAfter: positiveInteger(values['stop-after'], '--stop-after'),
  };
}

export async function runEventsCopy(args: EventsCopyArguments, log: (message: string, details?: object) => void): Promise<void> {
  const checkpoint = new CopyCheckpoint(args.checkpoint, withoutCredentials(args.from), withoutCredentials(args.to));
  const source = await openCopySource(args.from);
  try {
    const target = await openCopyTarget(args.to);
    try {
      const started = Date.now();
      const resumed = await checkpoint.load();
      log(`Copying from ${withoutCredentials(args.from)} to ${withoutCredentials(args.to)}`, { after: resumed.position, checkpoint: args.checkpoint });
      let reported = resumed.copied;
      const result = await copyEvents(source.value, target.value, checkpoint, {
        batchSize: args.batchSize,
        stopAfter: args.stopAfter,
        onBatch: ({ copied, position }) => {
          if (copied - reported < 10_000) return;
          reported = copied;
          log(`${copied} events copied`, { position });
        },
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const outcome = result.complete ? 'Copy complete' : `Stopped after ${args.stopAfter} events (run again to continue)`;
      log(`${outcome}: ${result.copied} events in total, this run took ${seconds} s`, { position: result.position });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return parsed;
}
