import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Cal.com signs a webhook as `X-Cal-Signature-256: hex(HMAC-SHA256(secret, exact body))`, lowercase, no `sha256=` prefix.
 * Verify the raw bytes as received: re-serialized JSON would not match.
 */
export const CALCOM_SIGNATURE_HEADER = 'x-cal-signature-256';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function signCalcomWebhook(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

export function verifyCalcomWebhook(rawBody: Buffer, signatureHeader: string | string[] | undefined | null, secret: string): boolean {
  if (!secret) return false;
  const given = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
  // Also rejects Cal.com's literal "no-secret-provided" and anything of the wrong length before timingSafeEqual sees it.
  if (typeof given !== 'string' || !HEX_SHA256.test(given.trim().toLowerCase())) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given.trim().toLowerCase(), 'hex'));
}
