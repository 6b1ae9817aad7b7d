import { noteWebhookFactRead, personalDataOf } from '../src/personal-data/personal-data.js';
import { parseCalcomWebhook, type CalcomWebhook } from '../src/sync/calcom-webhook.parser.js';

const bodyFor = (email: string) => JSON.stringify({ triggerEvent: 'BOOKING_CREATED', payload: { uid: 'booking-1', attendees: [{ name: 'Ada', email }] } });

function readByTheIntake(body: string): CalcomWebhook {
  const parsed = parseCalcomWebhook(body, 'application/json');
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.webhook;
}

describe('a webhook fact the intake has read already', () => {
  it('names the booker as reading the body would', () => {
    const data = { receivedAt: '2031-01-01T00:00:00.000Z', contentType: 'application/json', body: bodyFor('ada@example.org') };
    const unread = personalDataOf('CalcomWebhookReceived', { ...data });
    noteWebhookFactRead(data, readByTheIntake(data.body));
    expect(personalDataOf('CalcomWebhookReceived', data)).toEqual(unread);
    expect(unread).toEqual([{ email: 'ada@example.org', paths: [['body']] }]);
  });

  it('is read again once its body is no longer the one read', () => {
    const data = { contentType: 'application/json', body: bodyFor('ada@example.org') };
    noteWebhookFactRead(data, readByTheIntake(data.body));
    data.body = bodyFor('grace@example.org');
    expect(personalDataOf('CalcomWebhookReceived', data)).toEqual([{ email: 'grace@example.org', paths: [['body']] }]);
  });

  it('is read again once its content type is no longer the one read', () => {
    const data = { contentType: 'application/json', body: 'triggerEvent=BOOKING_CREATED&payload.attendees.0.email=grace@example.org' };
    noteWebhookFactRead(data, readByTheIntake(bodyFor('ada@example.org')));
    data.contentType = 'application/x-www-form-urlencoded';
    expect(personalDataOf('CalcomWebhookReceived', data)).toEqual([{ email: 'grace@example.org', paths: [['body']] }]);
  });
});
