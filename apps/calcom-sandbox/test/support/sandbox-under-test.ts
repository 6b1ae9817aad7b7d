import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/index.js';
import { type SandboxClient, sandboxClient } from './sandbox-client.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

/** A sandbox started for one test file, with the client its tests call it through. */
export interface SandboxUnderTest {
  sandbox: RunningSandbox;
  client: SandboxClient;
  /** Back to how it started (POST /_sandbox/reset), and no webhooks received. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startSandboxUnderTest(options: SandboxOptions = {}): Promise<SandboxUnderTest> {
  const sandbox = await startSandbox(options);
  const client = sandboxClient(sandbox);
  return {
    sandbox,
    client,
    reset: async () => void (await client.lever('POST', '/reset')),
    close: () => sandbox.close(),
  };
}

export interface SandboxWithWebhooks extends SandboxUnderTest {
  receiver: WebhookReceiver;
}

/** The same, sending its webhooks to a receiver whose `received` the tests read. */
export async function startSandboxWithWebhooks(options: Omit<SandboxOptions, 'webhookUrl'> = {}): Promise<SandboxWithWebhooks> {
  const receiver = await startWebhookReceiver();
  const started = await startSandboxUnderTest({ ...options, webhookUrl: receiver.url }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  return {
    ...started,
    receiver,
    reset: async () => {
      await started.reset();
      receiver.received.length = 0;
    },
    close: async () => {
      await started.close();
      await receiver.close();
    },
  };
}
