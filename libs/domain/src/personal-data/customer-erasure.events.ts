import type { Event } from '../event.js';

/**
 * A customer's personal data was erased (their keys destroyed): on the record, without the data itself. `subjectId`
 * is the keyed hash the key table knows the customer by, never the address. Kept in `customer-<subjectId>`.
 */
export type CustomerErased = Event<
  'CustomerErased',
  {
    subjectId: string;
    erasedAt: string;
    /** Keys destroyed by this erasure (0 when the customer had only data from before encryption, or none left). */
    keysDestroyed: number;
    /** Appointments whose read-model rows showed the customer and were marked erased. */
    appointmentIds: string[];
    /** Events recorded before personal data was encrypted that still hold the address in clear (see the README). */
    eventsInClearBeforeEncryption: number;
  }
>;

export const customerStreamPrefix = 'customer-';
export const customerStream = (subjectId: string): string => `${customerStreamPrefix}${subjectId}`;
