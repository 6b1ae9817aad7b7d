import { type AppointmentEvent, appointmentDecider, appointmentStream, type ContactField, type CustomerErased, customerStream, DomainError, ERASED, normaliseEmail } from '#domain';
import { DuplicateEventIdError, type EventMetadata, type EventStore, type PersonalDataProtection, type Position, type RecordedEvent } from '#event-store';
import type { DataSource } from 'typeorm';
import { derivedId } from '../calcom-webhooks/derived-id.js';
import { eraseAppointmentRows, eraseOtherReadModels } from './erased-read-models.js';

export interface CustomerErasure extends Omit<CustomerErased['data'], 'appointmentIds'> {
  appointmentIds: string[];
  erasedBy: string;
  reason: string;
  /** True when nothing was left to erase and the answer is the erasure already on record. */
  alreadyErased: boolean;
  /** False when events recorded before encryption still hold the address in clear (see the README). */
  complete: boolean;
}

export interface ErasureContext {
  actor: string;
  metadata: (reason: string) => EventMetadata;
}

/**
 * `POST /customers/erase`: destroys the customer's keys (every event that sealed their data now reads as erased),
 * marks the read models' copies erased in the same transaction, records the change on each appointment that showed
 * them (so the projection, its cache and a rebuild agree), and records the erasure itself, without the data.
 */
export class CustomerErasureService {
  constructor(
    private readonly store: EventStore,
    private readonly personalData: PersonalDataProtection,
    private readonly readModel: DataSource,
    /** Resolves once the read models include everything committed before the call. */
    private readonly caughtUp: () => Promise<void>,
    private readonly waitForReadModel: (position: Position) => Promise<void>,
  ) {}

  async erase(email: string, reason: string, context: ErasureContext): Promise<CustomerErasure> {
    const address = normaliseEmail(email);
    const keys = this.personalData.keys;
    const inClear = await keys.countClearEventsMentioning(address);
    let appointmentIds: string[] = [];
    const result = await keys.erase(address, { actor: context.actor, reason }, async (query) => {
      appointmentIds = await eraseAppointmentRows(query, address, ERASED);
      const others = await eraseOtherReadModels(query, address, ERASED);
      return appointmentIds.length > 0 || others || inClear > 0;
    });
    if (!result.erasure) throw new DomainError('NOT_FOUND', 'No personal data is kept for that e-mail address', { entity: 'customer' });
    // A projector batch that opened the data before the key was destroyed may commit its rows after: erase those too.
    await this.caughtUp();
    const late = await eraseAppointmentRows((sql, params) => this.readModel.query(sql, params), address, ERASED);
    const erasure = { subjectId: result.subjectId, ...result.erasure };
    const changed = await this.recordOnAppointments([...new Set([...appointmentIds, ...late])].sort(), erasure, context);
    const recorded = await this.recordErasure(erasure, result.keysDestroyed, changed, inClear, context);
    await this.waitForReadModel(recorded.position);
    return recorded.answer;
  }

  /**
   * Each appointment that showed the customer gets a ContactDetailsChanged to what its events now read (the markers):
   * the read model and its projector's memory take it in order, as any contact change. Ids derive from the erasure,
   * so a repeated erase finds them and writes nothing twice.
   */
  private async recordOnAppointments(appointmentIds: string[], erasure: { subjectId: string; erasedAt: string; reason: string }, context: ErasureContext): Promise<string[]> {
    const changed: string[] = [];
    for (const appointmentId of appointmentIds) {
      const id = derivedId('customer-erased', erasure.subjectId, erasure.erasedAt, appointmentId);
      const events = await this.store.readStream<AppointmentEvent>(appointmentStream(appointmentId));
      if (events.some((event) => event.id === id)) {
        changed.push(appointmentId);
        continue;
      }
      const state = events.reduce(appointmentDecider.evolve, appointmentDecider.initialState());
      // Only a customer that now reads as erased is this one: a contact changed to someone else since stays.
      if (state.status === 'initial' || state.customer.email !== ERASED) continue;
      const { customer, notes } = state;
      const fields: [ContactField, unknown][] = [
        ['customer.name', customer.name],
        ['customer.email', customer.email],
        ['customer.phone', customer.phone],
        ['notes', notes],
      ];
      await this.store.appendToStream(
        appointmentStream(appointmentId),
        [
          {
            id,
            type: 'ContactDetailsChanged',
            data: { appointmentId, customer, notes, changed: fields.filter(([, value]) => value === ERASED).map(([field]) => field) },
            metadata: context.metadata(`Customer erased: ${erasure.reason}`),
          },
        ],
        { expectedRevision: events.at(-1)!.revision },
      );
      changed.push(appointmentId);
    }
    return changed;
  }

  private async recordErasure(
    erasure: { subjectId: string; erasedAt: string; erasedBy: string; reason: string },
    keysDestroyed: number,
    appointmentIds: string[],
    inClear: number,
    context: ErasureContext,
  ): Promise<{ answer: CustomerErasure; position: Position }> {
    const streamName = customerStream(erasure.subjectId);
    const id = derivedId('customer-erased', erasure.subjectId, erasure.erasedAt);
    const data: CustomerErased['data'] = { subjectId: erasure.subjectId, erasedAt: erasure.erasedAt, keysDestroyed, appointmentIds, eventsInClearBeforeEncryption: inClear };
    const answer = (recorded: CustomerErased['data'], alreadyErased: boolean): CustomerErasure => ({
      ...recorded,
      erasedBy: erasure.erasedBy,
      reason: erasure.reason,
      alreadyErased,
      eventsInClearBeforeEncryption: inClear,
      complete: inClear === 0,
    });
    const earlier = await this.recordedErasure(streamName, id);
    if (earlier) return { answer: answer(earlier.data, true), position: earlier.position };
    try {
      const { position } = await this.store.appendToStream(streamName, [{ id, type: 'CustomerErased', data, metadata: context.metadata(erasure.reason) }]);
      return { answer: answer(data, false), position };
    } catch (error) {
      // The same erasure recorded meanwhile by a concurrent request: that one is the record.
      const raced = error instanceof DuplicateEventIdError ? await this.recordedErasure(streamName, id) : null;
      if (!raced) throw error;
      return { answer: answer(raced.data, true), position: raced.position };
    }
  }

  private async recordedErasure(streamName: string, id: string): Promise<RecordedEvent<CustomerErased> | undefined> {
    return (await this.store.readStream<CustomerErased>(streamName)).find((event) => event.id === id);
  }
}
