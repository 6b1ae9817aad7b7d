import { QueryHandler, Query, type IQueryHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { appointmentDecider, appointmentStream, NotFoundError } from '#domain';
import { aggregateStream, type EventStore } from '#event-store';
import { EVENT_STORE } from '../ledger.tokens.js';
import { toView, type AppointmentView } from './appointment.view.js';
import { CalcomStatusLookup } from './calcom-status.lookup.js';

/** The appointment now, or as it stood at `asOf`: folded from its own stream, so it is never behind. */
export class GetAppointment extends Query<AppointmentView> {
  constructor(
    readonly appointmentId: string,
    readonly asOf?: string,
  ) {
    super();
  }
}

@QueryHandler(GetAppointment)
export class GetAppointmentHandler implements IQueryHandler<GetAppointment> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly calcom: CalcomStatusLookup,
  ) {}

  async execute({ appointmentId, asOf }: GetAppointment): Promise<AppointmentView> {
    const read = asOf ? { until: asOf } : {};
    const { state, eventCount } = await aggregateStream(this.store, appointmentStream(appointmentId), { ...appointmentDecider, read });
    if (state.status === 'initial') throw new NotFoundError('appointment', appointmentId);
    return toView(state, eventCount, asOf ? null : await this.calcom.statusOf(appointmentId));
  }
}
