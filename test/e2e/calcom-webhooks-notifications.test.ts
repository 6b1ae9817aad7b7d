import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RunningLedger } from '../../apps/ledger/src/ledger.js';
import { CalcomWebhookPoster } from '../support/calcom-webhook-poster.js';
import { appointmentWhen, startLedgerWithSandbox } from '../support/calcom-ledger.js';
import { slot, type sandboxCustomer } from '../support/calcom-sandbox-customer.js';
import { eventually } from '../support/eventually.js';
import type { LedgerClient } from '../support/ledger-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const SECRET = 'whsec_notifications_test';
const unmappedBooking = readFileSync(join(process.cwd(), 'apps/calcom-sandbox/reference/webhook-examples/booking-created.dev-docs.json'), 'utf8');

/** Somebody's endpoint for NOTIFY_WEBHOOK_URL: refuses the first deliveries, then takes them. */
class FlakyReceiver {
  readonly attempts: { notificationId: string; status: number }[] = [];
  readonly received: any[] = [];
  private server: Server | null = null;

  constructor(private failuresLeft: number) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const notification = JSON.parse(body);
        const status = this.failuresLeft-- > 0 ? 503 : 200;
        this.attempts.push({ notificationId: notification.notificationId, status });
        if (status === 200) this.received.push(notification);
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/ledger`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

let database: TestDatabase;
let ledger: RunningLedger;
let admin: LedgerClient;
let customer: ReturnType<typeof sandboxCustomer>;
const receiver = new FlakyReceiver(2);

beforeAll(async () => {
  database = await createTestDatabase('notify');
  const notifyWebhookUrl = await receiver.start();
  ({ ledger, admin, customer } = await startLedgerWithSandbox(database.url, { notifyWebhookUrl, calcomWebhookSecret: SECRET }));
});

afterAll(async () => {
  await ledger?.close();
  await receiver.stop();
  await database?.drop();
});

describe('notifications', () => {
  it('an unmapped webhook is listed and POSTed to NOTIFY_WEBHOOK_URL, retried until the receiver takes it', async () => {
    const posted = await new CalcomWebhookPoster(`${ledger.url}/webhooks/calcom`, SECRET).post(unmappedBooking);
    expect(posted.status).toBe(200);
    const listed = await eventually(async () => {
      const { body } = await admin.get('/notifications');
      const found = body.items.find((item: { details: { factStream?: string } }) => item.details.factStream === posted.body.factStream);
      expect(found).toMatchObject({ kind: 'unmapped_webhook', appointmentId: null });
      return found;
    });
    const delivered = await eventually(() => {
      const found = receiver.received.find((notification) => notification.notificationId === listed.notificationId);
      expect(found).toBeTruthy();
      return found;
    }, 15_000);
    expect(delivered).toEqual(listed);
    expect(receiver.attempts.filter((attempt) => attempt.notificationId === listed.notificationId).map((attempt) => attempt.status)).toEqual([503, 503, 200]);
  });

  it("a permanent Cal.com refusal is listed with Cal.com's reason and POSTed", async () => {
    // A booking Cal.com has and the ledger never heard of (its webhook lost) takes the host's slot. The slot check
    // would answer 409 at once; an admin's `force` stores it, so Cal.com's refusal comes from the sync.
    await customer.faults({ webhookDropRate: 1 });
    await customer.book(101, slot(3), { name: 'Other Person', email: 'other@example.com', timeZone: 'UTC' });
    await customer.faults({});
    const scheduled = await admin.post('/appointments', {
      serviceId: 'consultation',
      staffId: 'olivia',
      startsAt: slot(3),
      customer: { name: 'Ann Lee', email: 'ann@example.com', timeZone: 'Europe/Berlin' },
      force: true,
    });
    expect(scheduled.status).toBe(201);
    const { appointmentId } = scheduled.body;
    await appointmentWhen(admin, appointmentId, (found) => expect(found.calcom?.syncStatus).toBe('failed'), 15_000);
    const listed = await eventually(async () => {
      const { body } = await admin.get('/notifications?kind=sync_failed');
      const found = body.items.find((item: { appointmentId: string }) => item.appointmentId === appointmentId);
      expect(found).toBeTruthy();
      return found;
    });
    expect(listed.message).toMatch(/^Cal.com refused the create: /);
    expect(listed.details).toMatchObject({ operation: 'create', error: { status: 400 } });
    await eventually(() => expect(receiver.received.map((notification) => notification.notificationId)).toContain(listed.notificationId), 15_000);
  });
});
