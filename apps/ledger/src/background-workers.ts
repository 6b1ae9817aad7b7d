import type { BackgroundWorkers } from './background-workers.leader.js';
import type { RunningCalcomSync } from './calcom-sync/start-calcom-sync.js';
import type { CalcomInboundWorkers } from './calcom-webhooks/calcom-inbound.workers.js';
import type { RunningDrift } from './drift/start-drift.js';

/**
 * The work that must run in one instance only: the Cal.com sync's process manager, the webhook translator and
 * notification sender, the drift schedule. Each resumes from its durable checkpoint; stopped in reverse order.
 */
export async function startBackgroundWorkers(parts: {
  calcomSync: RunningCalcomSync | null;
  drift: RunningDrift;
  startInbound(): Promise<CalcomInboundWorkers>;
}): Promise<BackgroundWorkers> {
  parts.calcomSync?.startProcessManager();
  let inbound: CalcomInboundWorkers;
  try {
    inbound = await parts.startInbound();
  } catch (error) {
    await parts.calcomSync?.stopProcessManager();
    throw error;
  }
  parts.drift.startSchedule();
  return {
    async stop() {
      await parts.drift.stopSchedule();
      await inbound.stop();
      await parts.calcomSync?.stopProcessManager();
    },
  };
}
