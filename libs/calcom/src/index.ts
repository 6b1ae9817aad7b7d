export { CALCOM_DEFAULT_API_URL, CalcomClient, type CalcomClientConfig, type CalcomLogger } from './calcom.client.js';
export { CalcomError, isCalcomError, classifyHttpFailure, classifyTransportFailure, type CalcomErrorCode, type CalcomErrorKind, type CalcomRequestInfo } from './calcom.errors.js';
export { CalcomRateLimiter, type CalcomRateLimiterOptions, type RateLimiterClock } from './calcom-rate-limiter.js';
export { rateLimitResetMs } from './calcom-rate-limit-headers.js';
export { CALCOM_SIGNATURE_HEADER, signCalcomWebhook, verifyCalcomWebhook } from './calcom-webhook-signature.js';
export type * from './calcom.types.js';
