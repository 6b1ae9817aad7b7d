import 'reflect-metadata';
import { runDriftCli } from './drift-cli.js';

/** `npm run drift [-- --json] [-- --incremental]`: see drift-cli.ts and docs/drift.md. */
const code = await runDriftCli(process.env, process.argv.slice(2), { log: (text) => console.log(text), error: (text) => console.error(text) });
process.exit(code);
