import { HelpRequested, parseEventsCopyArguments, runEventsCopy, USAGE, type EventsCopyArguments } from './events-copy.command.js';

/** `npm run events:copy -- --from <url> --to <url>`: see USAGE in events-copy.command.ts. */
function log(message: string, details: object = {}): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), context: 'events:copy', message, ...details }));
}

let args: EventsCopyArguments;
try {
  args = parseEventsCopyArguments(process.argv.slice(2));
} catch (error) {
  if (error instanceof HelpRequested) {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
runEventsCopy(args, log).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
