/**
 * An HTTP error with Cal.com's error envelope fields. `code` follows Cal.com API v2: the Nest exception class name for
 * HttpExceptions (BadRequestException, NotFoundException, UnauthorizedException, ThrottlerException), upper-case codes
 * for errors that pass through its Prisma and catch-all filters.
 */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxHttpError';
  }
}

export const badRequest = (message: string) => new SandboxHttpError(400, 'BadRequestException', message);
export const notFound = (message: string) => new SandboxHttpError(404, 'NotFoundException', message);
export const unauthorized = (message: string) => new SandboxHttpError(401, 'UnauthorizedException', message);
export const tooManyRequests = () => new SandboxHttpError(429, 'ThrottlerException', 'CustomThrottlerGuard - Too many requests. Please try again later.');
/** What Cal.com's catch-all filter answers for any error that is not an HttpException. */
export const internalServerError = () => new SandboxHttpError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');

export function errorEnvelope(path: string, error: SandboxHttpError, now: Date) {
  return {
    status: 'error' as const,
    timestamp: now.toISOString(),
    path,
    error: { code: error.code, message: error.message },
  };
}
