import { isCalcomError } from '#calcom';
import { appointmentStream, CalcomUnavailableError, calcomSyncStream, type DriftCatalog, ValidationFailedError } from '#domain';
import { type EventMetadata, type EventStore, WrongExpectedRevisionError } from '#event-store';
import type { CalcomSyncQueries, CatalogQueries } from '#projections';
import { SaveService } from '../catalog/save-service.command.js';
import { SaveStaffMember } from '../catalog/save-staff-member.command.js';
import { CALCOM_WEBHOOK_PATH } from '../calcom-sync/start-calcom-sync.js';
import { type Adoption, adoptionEventId, adoptionOf, bookingChains, type BookingChain, isToAdopt, type UnmappedBooking } from './booking-adoption.js';
import type { CalcomAccount, CalcomAccountReader } from './calcom-account.reader.js';
import { type CatalogProposal, proposeCatalog } from './catalog-proposal.js';
import type { WebhookPlan, WebhookSubscriptionManager } from './webhook-subscription.manager.js';

export interface ConnectOptions {
  /** Past bookings of the last N days are adopted too (0: only upcoming ones). */
  daysBack: number;
  /** Overrides PUBLIC_URL for this run. */
  publicUrl?: string;
}

export interface BookingsPlan {
  /** Chains to adopt now (a rescheduled booking is one chain of several uids). */
  toAdopt: number;
  alreadyInLedger: number;
  /** Adoptable chains with more than one uid. */
  rescheduled: number;
  unmapped: UnmappedBooking[];
}

export interface ConnectPlan {
  account: CalcomAccount['owner'];
  catalog: CatalogProposal;
  webhook: WebhookPlan;
  bookings: BookingsPlan;
}

export interface BookingsStep {
  adopted: number;
  alreadyInLedger: number;
  remaining: number;
  unmapped: UnmappedBooking[];
}

const DAY_MS = 86_400_000;

/**
 * Connecting an existing Cal.com account, in steps that are each safe to repeat: read everything and propose
 * (`plan`, changes nothing), save the catalog through the ordinary catalog commands, register the ledger's own
 * webhook subscription, then adopt the bookings a batch at a time. Adopting writes events only, never a Cal.com call:
 * what Cal.com shows goes to the sync's stream first (so the sync finds nothing to do), then the appointment, with
 * ids made from the booking's first uid, so an interrupted import run again adopts nothing twice.
 */
export class CalcomConnectService {
  private readonly reader: CalcomAccountReader;

  constructor(
    private readonly deps: {
      reader: CalcomAccountReader;
      webhooks: WebhookSubscriptionManager;
      store: EventStore;
      catalog: CatalogQueries;
      links: Pick<CalcomSyncQueries, 'appointmentIdForUid'>;
      /** The catalog commands connect sends: Nest's command bus, or (connecting directly) their handlers called in turn. */
      commands: { execute(command: SaveStaffMember | SaveService): Promise<unknown> };
      publicUrl: string | null;
      now: () => Date;
    },
  ) {
    this.reader = deps.reader;
  }

  async plan(options: ConnectOptions): Promise<ConnectPlan> {
    return this.fromCalcom(async () => {
      const account = await this.reader.read();
      const catalog = proposeCatalog(account.hosts, account.eventTypes, await this.ledgerCatalog());
      const webhook = await this.deps.webhooks.plan(this.subscriberUrl(options));
      const { chains, unmapped, done } = await this.bookingWork(options, driftCatalogOf(catalog));
      return {
        account: account.owner,
        catalog,
        webhook,
        bookings: { toAdopt: chains.length, alreadyInLedger: done, rescheduled: chains.filter((chain) => chain.chain.length > 1).length, unmapped },
      };
    });
  }

  /** Saves what the proposal adds or changes, through the catalog commands; what is unchanged is not written. */
  async saveCatalog(metadata: EventMetadata): Promise<CatalogProposal> {
    return this.fromCalcom(async () => {
      const account = await this.reader.read();
      const proposal = proposeCatalog(account.hosts, account.eventTypes, await this.ledgerCatalog());
      for (const staff of proposal.staff.filter((entry) => entry.change !== 'unchanged')) {
        await this.deps.commands.execute(new SaveStaffMember(staff.staffId, { name: staff.name, email: staff.email, calcomUserId: staff.calcomUserId }, metadata));
      }
      for (const service of proposal.services.filter((entry) => entry.change !== 'unchanged')) {
        const body = { name: service.name, durationMinutes: service.durationMinutes, calcomEventTypeIds: service.calcomEventTypeIds };
        await this.deps.commands.execute(new SaveService(service.serviceId, body, metadata));
      }
      return proposal;
    });
  }

  async registerWebhook(options: ConnectOptions): Promise<WebhookPlan & { subscriptionId: number }> {
    return this.fromCalcom(async () => {
      const plan = await this.deps.webhooks.plan(this.subscriberUrl(options));
      return { ...plan, subscriptionId: await this.deps.webhooks.apply(plan) };
    });
  }

  /** Adopts up to `limit` bookings not yet in the ledger; `remaining` says how many are left after them. */
  async adoptBookings(options: ConnectOptions, limit: number, metadata: EventMetadata): Promise<BookingsStep> {
    return this.fromCalcom(async () => {
      const { chains, unmapped, done } = await this.bookingWork(options, await this.ledgerCatalog());
      const batch = chains.slice(0, limit);
      let adopted = 0;
      for (const adoption of batch) if (await this.adopt(adoption, metadata)) adopted++;
      return { adopted, alreadyInLedger: done + batch.length - adopted, remaining: chains.length - batch.length, unmapped };
    });
  }

  rotateSecret(options: Pick<ConnectOptions, 'publicUrl'>) {
    return this.fromCalcom(() => this.deps.webhooks.rotate(this.subscriberUrl(options)));
  }

  disconnect(options: Pick<ConnectOptions, 'publicUrl'>) {
    return this.fromCalcom(() => this.deps.webhooks.remove(this.subscriberUrl(options)));
  }

  subscriberUrl(options: Pick<ConnectOptions, 'publicUrl'>): string {
    const base = options.publicUrl ?? this.deps.publicUrl;
    if (!base) throw new ValidationFailedError('PUBLIC_URL is not set: the ledger needs its public address to register its webhook', { field: 'publicUrl' });
    return `${base.replace(/\/+$/, '')}${CALCOM_WEBHOOK_PATH}`;
  }

  /** The chains to adopt, oldest start first; those the ledger already knows are counted, the unmappable listed. */
  private async bookingWork(options: ConnectOptions, catalog: DriftCatalog) {
    const now = this.deps.now();
    const from = new Date(now.getTime() - options.daysBack * DAY_MS);
    const bookings = await this.reader.bookingsSince(new Date(from.getTime() - DAY_MS), now);
    const chains: Adoption[] = [];
    const unmapped: UnmappedBooking[] = [];
    let done = 0;
    for (const chain of bookingChains(bookings).filter((candidate) => isToAdopt(candidate, from))) {
      if (await this.isInLedger(chain)) {
        done++;
        continue;
      }
      const decided = adoptionOf(chain, catalog);
      if (decided.ok) chains.push(decided.adoption);
      else unmapped.push(decided.unmapped);
    }
    return { chains, unmapped, done };
  }

  /** Made by the ledger (its metadata), linked to an appointment already, or adopted by an earlier run. */
  private async isInLedger(chain: BookingChain): Promise<boolean> {
    if (chain.bookings.some((booking) => booking.appointmentId)) return true;
    for (const uid of chain.uids) {
      const linked = await this.deps.links.appointmentIdForUid(uid);
      if (linked && (await this.deps.store.readStream(appointmentStream(linked), { toRevision: 0 })).length > 0) return true;
    }
    return false;
  }

  /** Observations first (with their own ids, so a repeat is recognised), then the appointment with `no_stream`. */
  private async adopt(adoption: Adoption, metadata: EventMetadata): Promise<boolean> {
    const { appointmentId } = adoption;
    const first = adoption.chain[0];
    const syncStream = calcomSyncStream(appointmentId);
    const written = new Set((await this.deps.store.readStream(syncStream)).map((event) => event.id));
    const observations = adoption.observed
      .map((booking, index) => ({
        id: adoptionEventId(first, 'sync', index),
        type: 'CalcomBookingObserved',
        data: { appointmentId, booking, via: 'api' as const, factId: null },
        metadata,
      }))
      .filter((event) => !written.has(event.id));
    if (observations.length) await this.deps.store.appendToStream(syncStream, observations);
    const events = adoption.events.map(({ type, data }, index) => ({ id: adoptionEventId(first, 'appointment', index), type, data, metadata }));
    try {
      await this.deps.store.appendToStream(appointmentStream(appointmentId), events, { expectedRevision: 'no_stream' });
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return false;
      throw error;
    }
  }

  private async ledgerCatalog() {
    const [staff, services] = await Promise.all([this.deps.catalog.listStaff(), this.deps.catalog.listServices()]);
    return {
      staff: staff.map(({ staffId, name, email, calcomUserId }) => ({ staffId, name, email, calcomUserId: calcomUserId ?? null })),
      services: services.map(({ serviceId, name, durationMinutes, calcomEventTypeIds }) => ({ serviceId, name, durationMinutes, calcomEventTypeIds })),
    };
  }

  /** Cal.com refusing or failing is a 502 that says what Cal.com answered, never a 500. */
  private async fromCalcom<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isCalcomError(error)) throw new CalcomUnavailableError(error.message, { calcomCode: error.code, status: error.status ?? null });
      throw error;
    }
  }
}

function driftCatalogOf(proposal: Pick<CatalogProposal, 'staff' | 'services'>): DriftCatalog {
  return {
    staff: proposal.staff.map(({ staffId, calcomUserId }) => ({ staffId, calcomUserId })),
    services: proposal.services.map(({ serviceId, durationMinutes, calcomEventTypeIds }) => ({ serviceId, durationMinutes, calcomEventTypeIds })),
  };
}
