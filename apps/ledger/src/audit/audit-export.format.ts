import type { AuditedEvent } from '#event-store';

export type ExportFormat = 'jsonl' | 'csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv'];

/** One exported event: who, from where, why, in answer to what, and the hash that chains it. */
export interface ExportedEvent {
  position: string;
  recordedAt: string;
  streamName: string;
  revision: number;
  eventId: string;
  type: string;
  actor: unknown;
  source: unknown;
  correlationId: unknown;
  causationId: unknown;
  reason: unknown;
  hash: string | null;
  data: unknown;
  metadata: Record<string, unknown>;
}

export function toExportedEvent(event: AuditedEvent): ExportedEvent {
  const { actor = null, source = null, correlationId = null, causationId = null, reason = null } = event.metadata;
  return {
    position: event.position,
    recordedAt: event.recordedAt,
    streamName: event.streamName,
    revision: event.revision,
    eventId: event.eventId,
    type: event.type,
    actor,
    source,
    correlationId,
    causationId,
    reason,
    hash: event.hash,
    data: event.data,
    metadata: event.metadata,
  };
}

const CSV_COLUMNS = [
  'position',
  'recordedAt',
  'streamName',
  'revision',
  'eventId',
  'type',
  'actor',
  'source',
  'correlationId',
  'causationId',
  'reason',
  'hash',
  'data',
  'metadata',
] as const satisfies readonly (keyof ExportedEvent)[];

export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\r\n`;

export function jsonLine(event: ExportedEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** RFC 4180 (CRLF, quotes doubled); objects as JSON text. */
export function csvLine(event: ExportedEvent): string {
  return `${CSV_COLUMNS.map((column) => csvCell(event[column])).join(',')}\r\n`;
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return before one) gets a
 * leading `'`, as OWASP advises for CSV injection: the text stays readable and is never evaluated.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
