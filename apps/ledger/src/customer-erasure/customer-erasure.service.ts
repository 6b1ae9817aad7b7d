import { type AppointmentEvent, appointmentDecider, appointmentStream, type ContactField, type CustomerErased, customerStream, DomainError, ERASED, normaliseEmail } from '#domain';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type PersonalDataProtection,
  type Position,
  type RecordedEvent,
} from '#event-store';
import type { DataSource } from 'typeorm';
import { derivedId } from '../calcom-webhooks/derived-id.js';
import { eraseAppointmentRows, eraseOtherReadModels } from './erased-read-models.js';

const MAX_ATTEMPTS = 3;

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
    const changed = await this.recordOnAppointments([...new Set([...appointmentIds, ...late])].sort(), address, erasure, context);
    const recorded = await this.recordErasure(erasure, result.keysDestroyed, changed, inClear, context);
    await this.waitForReadModel(recorded.position);
    return recorded.answer;
  }

  /**
   * Each appointment that showed the customer gets a ContactDetailsChanged to the erased markers: the read model, its
   * projector's memory and a rebuild take it in order, as any contact change. Ids derive from the erasure, so a
   * repeated erase finds them and writes nothing twice.
   */
  private async recordOnAppointments(appointmentIds: string[], address: string, erasure: { subjectId: string; erasedAt: string; reason: string }, context: ErasureContext) {
    const recorded: string[] = [];
    for (const appointmentId of appointmentIds) {
      const id = derivedId('customer-erased', erasure.subjectId, erasure.erasedAt, appointmentId);
      for (let attempt = 1; ; attempt++) {
        try {
          if (await this.recordOnAppointment(appointmentId, id, address, context.metadata(`Customer erased: ${erasure.reason}`))) recorded.push(appointmentId);
          break;
        } catch (error) {
          // The appointment moved on meanwhile: look again (a bounded number of times).
          if (!(error instanceof WrongExpectedRevisionError) || attempt >= MAX_ATTEMPTS) throw error;
        }
      }
    }
    return recorded;
  }

  private async recordOnAppointment(appointmentId: string, id: string, address: string, metadata: EventMetadata): Promise<boolean> {
    const events = await this.store.readStream<AppointmentEvent>(appointmentStream(appointmentId));
    if (events.some((event) => event.id === id)) return true;
    const state = events.reduce(appointmentDecider.evolve, appointmentDecider.initialState());
    // The customer now reads as erased (sealed data) or still shows the address (recorded in clear before encryption
    // existed); a contact changed to someone else since stays as it is.
    if (state.status === 'initial' || (state.customer.email !== ERASED && normaliseEmail(state.customer.email) !== address)) return false;
    const customer = { ...state.customer, name: ERASED, email: ERASED, phone: state.customer.phone === null ? null : ERASED };
    const notes = state.notes === null ? null : ERASED;
    const changed: ContactField[] = ['customer.name', 'customer.email'];
    if (customer.phone) changed.push('customer.phone');
    if (notes) changed.push('notes');
    const event = { id, type: 'ContactDetailsChanged', data: { appointmentId, customer, notes, changed }, metadata };
    await this.store.appendToStream(appointmentStream(appointmentId), [event], { expectedRevision: events.at(-1)!.revision });
    return true;
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
