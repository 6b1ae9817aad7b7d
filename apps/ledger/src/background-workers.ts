import type { BackgroundWorkers } from './background-workers.leader.js';
import type { AuditAnchorSchedule } from './audit/audit-anchor.schedule.js';
import type { RunningCalcomSync } from './calcom-sync/start-calcom-sync.js';
import type { CalcomInboundWorkers } from './calcom-webhooks/calcom-inbound.workers.js';
import type { RunningDrift } from './drift/start-drift.js';

/**
 * The work that must run in one instance only: the Cal.com sync's process manager, the webhook translator and
 * notification sender, the drift schedule, the daily audit anchor. Each resumes from its durable checkpoint; all are stopped at once (a leader
 * that lost its lock must not go on calling Cal.com or sending notifications while the others finish).
 */
export async function startBackgroundWorkers(parts: {
  calcomSync: RunningCalcomSync | null;
  drift: RunningDrift;
  /** The daily head hash of the audit chain (absent without an audit log). */
  auditAnchors?: AuditAnchorSchedule | null;
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
  parts.auditAnchors?.start();
  return {
    async stop() {
      await Promise.all([parts.calcomSync?.stopProcessManager(), inbound.stop(), parts.drift.stopSchedule(), parts.auditAnchors?.stop()]);
    },
  };
}
