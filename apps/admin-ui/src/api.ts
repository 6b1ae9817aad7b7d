/**
 * The ledger's HTTP API as the UI calls it: same origin, the session cookie, and the CSRF token on every write.
 * Errors arrive as {"error":{"code","message","details"}} and become ApiError, so screens can say what went wrong.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

/** Set from the sign-in answer and from GET /auth/me. */
export function rememberCsrfToken(token: string | null): void {
  csrfToken = token;
}

export interface Answer<T> {
  body: T;
  etag: string | null;
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const sent: Record<string, string> = { accept: 'application/json', ...headers };
  if (body !== undefined) sent['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) sent['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    // no-store: an appointment's ETag is its version, which its calcom block does not move; a revalidated 304 would
    // keep showing "pending" after the sync finished.
    response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', error instanceof Error ? error.message : String(error));
  }
  const text = await response.text();
  const parsed: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details ?? null);
  }
  return { body: parsed as T, etag: response.headers.get('etag') };
}

export const get = async <T>(path: string): Promise<T> => (await request<T>('GET', path)).body;
export const post = async <T>(path: string, body: unknown = {}, headers?: Record<string, string>): Promise<T> => (await request<T>('POST', path, body, headers)).body;

/** `If-Match` for a command decided on the version the person saw. */
export const ifMatch = (version: number): Record<string, string> => ({ 'if-match': `"${version}"` });

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'NOT_JSON', message: text.slice(0, 200) } };
  }
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
