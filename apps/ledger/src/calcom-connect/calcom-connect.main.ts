import { askOnTerminal, runConnectCli } from './calcom-connect-cli.js';

/** `npm run calcom:connect [-- --dry-run] [-- --yes] [-- --days-back N]`: see calcom-connect-cli.ts. */
const code = await runConnectCli(process.env, process.argv.slice(2), {
  log: (text) => console.log(text),
  error: (text) => console.error(text),
  ask: askOnTerminal,
});
process.exit(code);
