import { randomUUID } from 'node:crypto';
import { START, type EventMetadata, type EventStore, type NewEvent, type Position, type RecordedEvent } from '../src/event-store.port.js';
import { eventually } from '#test-support/eventually';

export function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return { actor: 'admin:alice', source: 'admin', correlationId: randomUUID(), causationId: null, ...overrides };
}

export function newEvent(type = 'AppointmentBooked', data: unknown = { slot: '2030-01-01T09:00:00.000Z' }, meta = metadata()): NewEvent {
  return { id: randomUUID(), type, data, metadata: meta };
}

export function newEvents(count: number, type = 'AppointmentNoted'): NewEvent[] {
  return Array.from({ length: count }, (_, index) => newEvent(type, { index }));
}

/** A stream prefix no other test uses, so readAll with `streamPrefixes` sees only this test's events. */
export function uniquePrefix(): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
}

/** Pages through readAll to the end (as far as the store lets a reader see now). */
/**
 * Every event committed before the call, page by page. readAll may hold back the newest ones while any older
 * transaction on the server is still open, so an empty page is waited out until the head seen at the start is passed.
 */
export async function readAllPages(
  store: EventStore,
  options: { after?: Position; limit?: number; streamPrefixes?: string[] } = {},
): Promise<{ events: RecordedEvent[]; position: Position }> {
  const events: RecordedEvent[] = [];
  const head = await store.headPosition();
  let position = options.after ?? START;
  while (store.comparePositions(position, head) < 0) {
    const page = await store.readAll({ ...options, after: position });
    events.push(...page.events);
    const moved = store.comparePositions(page.position, position) > 0;
    position = page.position;
    if (page.events.length === 0 && !moved) await store.waitForEventsAfter(position, AbortSignal.timeout(1_000));
  }
  return { events, position };
}

/**
 * readAll may hold back committed events while another transaction (anywhere on the server) that could still
 * commit an earlier one runs; tests wait until what they appended is readable before asserting on it.
 */
export function readAllOnceVisible(store: EventStore, streamPrefixes: string[], count: number): Promise<RecordedEvent[]> {
  return eventually(async () => {
    const { events } = await readAllPages(store, { streamPrefixes });
    expect(events).toHaveLength(count);
    return events;
  });
}

export function expectAscending(store: EventStore, positions: Position[]): void {
  for (let index = 1; index < positions.length; index++) {
    expect(store.comparePositions(positions[index - 1], positions[index])).toBeLessThan(0);
  }
}
