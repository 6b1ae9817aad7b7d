import type { EntityManager } from 'typeorm';
import { calcomSyncStreamPrefix, calcomWebhookStreamPrefix, driftChecksStream } from '../../libs/domain/src/index.js';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port.js';
import { projectWebhookFacts } from './calcom-webhook-facts.projection.js';
import { projectNotices } from './calcom-notices.projection.js';

export { calcomWebhookStreamPrefix };

/** The streams these read models are made from. */
export const calcomInboundStreamPrefixes = [calcomWebhookStreamPrefix, calcomSyncStreamPrefix, driftChecksStream] as const;

const NOTICE_TYPES = new Set(['CalcomOperationFailed', 'SyncConflictDetected', 'SyncConflictResolved', 'CalcomWebhookApplied', 'DriftHealBlocked']);

/** Webhook facts, notifications and conflicts, from one batch of any events (others are skipped). */
export async function projectCalcomInbound(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
  const facts = events.filter((event) => event.streamName.startsWith(calcomWebhookStreamPrefix));
  const notices = events.filter((event) => NOTICE_TYPES.has(event.type) && calcomInboundStreamPrefixes.some((prefix) => event.streamName.startsWith(prefix)));
  if (facts.length > 0) await projectWebhookFacts(manager, facts);
  if (notices.length > 0) await projectNotices(manager, notices);
}
