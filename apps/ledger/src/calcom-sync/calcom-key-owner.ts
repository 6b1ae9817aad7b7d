import type { CalcomClient } from '#calcom';

/** A failed `GET /v2/me` is asked again after this long, not before every reschedule. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/**
 * The email of the Cal.com user whose API key the ledger uses, for `rescheduledBy`: Cal.com takes the rescheduling
 * user only from that field (bookings/2024-08-13/services/input.service.ts, upstream 84bd4d3), and without it a
 * reschedule of an event type that requires confirmation comes back PENDING, waiting for the host
 * (handleNewBooking.ts confirms at once when the organizer reschedules). Asked once (`GET /v2/me`) and kept; when
 * Cal.com does not answer, null (the reschedule goes without it) and the log says so.
 */
export class CalcomKeyOwner {
  private email: string | null = null;
  private failedAt: number | null = null;

  constructor(
    private readonly client: Pick<CalcomClient, 'me'>,
    private readonly logger: { warn(message: string): void } | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async emailForRescheduledBy(): Promise<string | null> {
    if (this.email !== null) return this.email;
    if (this.failedAt !== null && this.clock() - this.failedAt < RETRY_AFTER_FAILURE_MS) return null;
    try {
      const me = await this.client.me();
      if (typeof me?.email !== 'string' || me.email === '') throw new Error('GET /v2/me answered without an email');
      this.email = me.email;
      this.failedAt = null;
      return this.email;
    } catch (error) {
      this.failedAt = this.clock();
      this.logger?.warn(
        `Cal.com GET /v2/me failed (${error instanceof Error ? error.message : String(error)}): reschedules go without rescheduledBy, so on event types that require confirmation they wait for the host`,
      );
      return null;
    }
  }
}
