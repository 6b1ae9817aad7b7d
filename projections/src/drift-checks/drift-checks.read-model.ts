import { countByKind, driftChecksStream, driftOnly, type DriftEvent } from '#domain';
import type { RecordedEvent } from '#event-store';
import type { ReadModel, ReadModelSql } from '../read-model.js';
import { insertRows, type ReadModelTable } from '../read-model-table.js';

const checkColumns = {
  check_id: 'text',
  revision: 'integer',
  outcome: 'text',
  mode: 'text',
  trigger: 'text',
  started_at: 'timestamptz',
  generated_at: 'timestamptz',
  window_from: 'timestamptz',
  window_to: 'timestamptz',
  updated_since: 'timestamptz',
  checked_ledger: 'integer',
  checked_calcom: 'integer',
  pages: 'integer',
  drift_count: 'integer',
  counts: 'jsonb',
  items: 'jsonb',
  error: 'jsonb',
} as const;
const healColumns = { revision: 'integer', type: 'text', item_id: 'text', check_id: 'text', recorded_at: 'timestamptz', data: 'jsonb' } as const;

type DriftCheckRecord = { [K in keyof typeof checkColumns]: unknown };
type DriftHealRecord = { [K in keyof typeof healColumns]: unknown };

const checksTable: ReadModelTable<DriftCheckRecord> = { name: 'drift_checks', columns: checkColumns };
const healsTable: ReadModelTable<DriftHealRecord> = { name: 'drift_heals', columns: healColumns };

/**
 * `drift_checks` and `drift_heals`: one row per drift check (its whole report) and one per heal or blocked heal.
 * Rows are keyed by the event's place in the `drift-checks` stream, so a replay inserts nothing twice.
 */
export const driftChecksReadModel: ReadModel = {
  name: 'drift-checks',
  streamPrefixes: [driftChecksStream],
  tables: ['drift_checks', 'drift_heals'],
  canHandle: (event) => event.streamName === driftChecksStream,
  handle: projectDriftEvents,
};

async function projectDriftEvents(manager: ReadModelSql, events: readonly RecordedEvent[]): Promise<void> {
  const checks: DriftCheckRecord[] = [];
  const heals: DriftHealRecord[] = [];
  for (const recorded of events) {
    const event = { type: recorded.type, data: recorded.data } as DriftEvent;
    switch (event.type) {
      case 'DriftCheckCompleted': {
        const { data } = event;
        checks.push({
          check_id: data.checkId,
          revision: recorded.revision,
          outcome: 'completed',
          mode: data.mode,
          trigger: data.trigger,
          started_at: data.startedAt,
          generated_at: data.generatedAt,
          window_from: data.window.from,
          window_to: data.window.to,
          updated_since: data.updatedSince,
          checked_ledger: data.checked.ledger,
          checked_calcom: data.checked.calcom,
          pages: data.pages,
          drift_count: driftOnly(data.items).length,
          counts: countByKind(data.items),
          items: data.items,
          error: null,
        });
        break;
      }
      case 'DriftCheckFailed': {
        const { data } = event;
        checks.push({
          check_id: data.checkId,
          revision: recorded.revision,
          outcome: 'failed',
          mode: data.mode,
          trigger: data.trigger,
          started_at: data.startedAt,
          generated_at: data.failedAt,
          window_from: null,
          window_to: null,
          updated_since: null,
          checked_ledger: 0,
          checked_calcom: 0,
          pages: 0,
          drift_count: 0,
          counts: {},
          items: [],
          error: data.error,
        });
        break;
      }
      case 'DriftItemHealed':
      case 'DriftHealBlocked':
        heals.push({
          revision: recorded.revision,
          type: event.type,
          item_id: event.type === 'DriftItemHealed' ? event.data.itemId : null,
          check_id: event.type === 'DriftHealBlocked' ? event.data.checkId : null,
          recorded_at: recorded.recordedAt,
          data: event.data,
        });
        break;
      default:
        break;
    }
  }
  await insertRows(manager, checksTable, checks);
  await insertRows(manager, healsTable, heals);
}
