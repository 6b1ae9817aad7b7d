import { randomUUID } from 'node:crypto';
import { signCalcomWebhook } from '#calcom';

export interface SignedWebhook {
  body: string;
  signature: string;
}

const HOUR_MS = 3_600_000;

/**
 * BOOKING_CREATED deliveries as Cal.com sends them for customers booking the sandbox's event type 101 (host 1), each
 * one a new booking: every delivery is stored, and the translator turns each into an appointment.
 */
export function bookingCreatedWebhooks(count: number, secret: string, firstStart = Date.now() + 24 * HOUR_MS): SignedWebhook[] {
  return Array.from({ length: count }, (_, index) => {
    const start = new Date(firstStart + index * HOUR_MS);
    const end = new Date(start.getTime() + 30 * 60_000);
    const uid = randomUUID().replaceAll('-', '').slice(0, 22);
    const body = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: new Date().toISOString(),
      payload: {
        type: 'consultation-30',
        title: `Consultation between Olivia Owner and Customer ${index}`,
        startTime: start.toISOString().replace('.000Z', 'Z'),
        endTime: end.toISOString().replace('.000Z', 'Z'),
        organizer: { id: 1, name: 'Olivia Owner', email: 'olivia@sandbox.example', username: 'olivia', timeZone: 'Europe/London' },
        attendees: [{ email: `customer${index}@example.com`, name: `Customer ${index}`, timeZone: 'Europe/Berlin', language: { locale: 'en' } }],
        eventTypeId: 101,
        uid,
        bookingId: index + 1,
        length: 30,
        metadata: {},
        status: 'ACCEPTED',
      },
    });
    return { body, signature: signCalcomWebhook(body, secret) };
  });
}
