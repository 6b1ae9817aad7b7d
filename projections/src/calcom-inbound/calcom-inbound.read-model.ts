import { calcomSyncStreamPrefix, calcomWebhookStreamPrefix, driftChecksStream } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { ReadModel } from '../read-model.js';
import { calcomInboundTables } from './calcom-inbound.entities.js';
import { projectNotices } from './calcom-notices.projection.js';
import { projectWebhookFacts } from './calcom-webhook-facts.projection.js';

/** The streams these read models are made from. */
export const calcomInboundStreamPrefixes = [calcomWebhookStreamPrefix, calcomSyncStreamPrefix, driftChecksStream] as const;

const NOTICE_TYPES = new Set(['CalcomOperationFailed', 'SyncConflictDetected', 'SyncConflictResolved', 'CalcomWebhookApplied', 'DriftHealBlocked']);

const isFact = (event: RecordedEvent): boolean => event.streamName.startsWith(calcomWebhookStreamPrefix);
const isNotice = (event: RecordedEvent): boolean => NOTICE_TYPES.has(event.type) && calcomInboundStreamPrefixes.some((prefix) => event.streamName.startsWith(prefix));

/** What came in from Cal.com and what became of it: webhook facts, the notifications a person sees, and conflicts. */
export const calcomInboundReadModel: ReadModel = {
  name: 'calcom-inbound',
  streamPrefixes: calcomInboundStreamPrefixes,
  tables: calcomInboundTables,
  canHandle: (event) => isFact(event) || isNotice(event),
  async handle(manager, events) {
    await projectWebhookFacts(manager, events.filter(isFact));
    await projectNotices(manager, events.filter(isNotice));
  },
};
