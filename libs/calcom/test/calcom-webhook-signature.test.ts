import { signCalcomWebhook, verifyCalcomWebhook } from '../src/calcom-webhook-signature.js';

// RFC-style HMAC-SHA256 vector (key "key"), so the test does not check the code against itself.
const FOX = 'The quick brown fox jumps over the lazy dog';
const FOX_SIGNATURE = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';
const body = Buffer.from('{"triggerEvent":"BOOKING_CREATED","payload":{"uid":"abc"}}');

describe('Cal.com webhook signature', () => {
  test('signs as lowercase hex HMAC-SHA256 of the exact bytes', () => {
    expect(signCalcomWebhook(FOX, 'key')).toBe(FOX_SIGNATURE);
    expect(signCalcomWebhook(Buffer.from(FOX), 'key')).toBe(FOX_SIGNATURE);
  });

  test('accepts the signature Cal.com would send for this body and secret', () => {
    expect(verifyCalcomWebhook(Buffer.from(FOX), FOX_SIGNATURE, 'key')).toBe(true);
    expect(verifyCalcomWebhook(body, signCalcomWebhook(body, 's3cret'), 's3cret')).toBe(true);
  });

  test('refuses a body changed by a single byte, even only in whitespace', () => {
    const signature = signCalcomWebhook(body, 's3cret');
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifyCalcomWebhook(reserialized, signature, 's3cret')).toBe(false);
    expect(verifyCalcomWebhook(Buffer.concat([body, Buffer.from(' ')]), signature, 's3cret')).toBe(false);
  });

  test('refuses a signature made with another secret', () => {
    expect(verifyCalcomWebhook(body, signCalcomWebhook(body, 'other'), 's3cret')).toBe(false);
  });

  test.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ["Cal.com's unsigned marker", 'no-secret-provided'],
    ['prefixed', `sha256=${FOX_SIGNATURE}`],
    ['too short', FOX_SIGNATURE.slice(0, 63)],
    ['too long', `${FOX_SIGNATURE}00`],
    ['not hex', 'z'.repeat(64)],
  ])('returns false, without throwing, for a %s header', (_label, header) => {
    expect(verifyCalcomWebhook(Buffer.from(FOX), header, 'key')).toBe(false);
  });

  test('refuses everything when no secret is configured', () => {
    expect(verifyCalcomWebhook(body, signCalcomWebhook(body, ''), '')).toBe(false);
  });
});
