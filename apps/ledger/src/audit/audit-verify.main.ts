import 'reflect-metadata';
import { runAuditVerifyCli } from './audit-verify-cli.js';

/** `npm run audit:verify`: see audit-verify-cli.ts. */
const code = await runAuditVerifyCli(process.env, process.argv.slice(2), { log: (text) => console.log(text), error: (text) => console.error(text) });
process.exit(code);
