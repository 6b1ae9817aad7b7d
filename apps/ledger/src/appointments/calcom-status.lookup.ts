/**
 * Where the `calcom` block of an appointment comes from. Until the Cal.com sync is running there is nothing to show;
 * the sync replaces this provider with one that reads its read model.
 */
export class CalcomStatusLookup {
  async statusOf(_appointmentId: string): Promise<Record<string, unknown> | null> {
    return null;
  }

  /** The same for a page of appointments (the list), keyed by appointment id. */
  async statusesOf(_appointmentIds: string[]): Promise<Map<string, Record<string, unknown> | null>> {
    return new Map();
  }
}
