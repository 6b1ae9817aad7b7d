import { ConsoleLogger } from '@nestjs/common';
import { ConfigError, loadConfig } from './config.js';
import { startLedger } from './ledger.js';
import { describeStartupFailure } from './startup-failure.js';

const logger = new ConsoleLogger('ledger', { json: true });

try {
  const config = await loadConfig();
  if (config.apiTokensSource !== 'env') {
    logger.warn(`API_TOKENS is not set: using the generated tokens kept in ${config.apiTokensSource}`, 'Auth');
    for (const { role, token } of config.apiTokens) logger.log(`${role} token: ${token}`, 'Auth');
  }
  const ledger = await startLedger(config, { logger });
  logger.log(`Ledger listening on ${ledger.url} (API docs at ${ledger.url}/docs)`, 'Ledger');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.log(`${signal}: shutting down`, 'Ledger');
      void ledger.close().then(() => process.exit(0));
    });
  }
} catch (error) {
  logger.error(error instanceof ConfigError ? error.message : `start-up failed: ${describeStartupFailure(error)}`, 'Ledger');
  process.exit(1);
}
