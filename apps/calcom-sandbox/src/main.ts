import { readFileSync } from 'node:fs';
import { startSandbox } from './index.js';

/** `npm run sandbox`: the Cal.com sandbox as a process, configured from the environment. */
const env = process.env;
const catalog = env.SANDBOX_CATALOG ? JSON.parse(readFileSync(env.SANDBOX_CATALOG, 'utf8')) : undefined;

const sandbox = await startSandbox({
  port: Number(env.SANDBOX_PORT ?? 4010),
  host: env.SANDBOX_HOST ?? '127.0.0.1',
  apiKey: env.SANDBOX_API_KEY || undefined,
  webhookUrl: env.SANDBOX_WEBHOOK_URL || undefined,
  webhookSecret: env.SANDBOX_WEBHOOK_SECRET || undefined,
  catalog,
});

console.log(`Cal.com sandbox listening on ${sandbox.url} (API ${sandbox.url}/v2, levers ${sandbox.url}/_sandbox)`);
console.log(`API key: ${sandbox.apiKey}; webhooks to: ${env.SANDBOX_WEBHOOK_URL || '(none: set SANDBOX_WEBHOOK_URL)'}`);

const stop = () => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
