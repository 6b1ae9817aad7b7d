import 'reflect-metadata';
import { runUsersCli } from './users-cli.js';

const readStdin = async (): Promise<string> => {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
};

/** `npm run users -- add|reset-password|disable …`: see users-cli.ts. */
const code = await runUsersCli(process.env, process.argv.slice(2), { log: (text) => console.log(text), error: (text) => console.error(text) }, readStdin);
process.exit(code);
