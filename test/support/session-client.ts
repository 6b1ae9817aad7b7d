import { ApiClient, type ApiResponse, LedgerClient } from './ledger-client.js';

/** The `ledger_session=…` pair of a Set-Cookie header, as a browser would send it back. */
export function sessionCookieOf(response: { headers: Headers }): string | null {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith('ledger_session='));
  return header ? header.split(';')[0] : null;
}

/**
 * A person signed in to the ledger the way the admin UI is: the session cookie on every request, the CSRF token on
 * every change (`withoutCsrf` / `withCsrf` to leave it out or send another).
 */
export class SessionClient extends ApiClient {
  private constructor(
    readonly baseUrl: string,
    readonly cookie: string,
    readonly csrfToken: string,
    readonly user: { id: string; email: string; name: string; role: string },
    private readonly csrfHeader: string | null,
  ) {
    super();
  }

  /** Signs in; throws with the answer if it is not a 200. */
  static async signIn(baseUrl: string, email: string, password: string, headers: Record<string, string> = {}): Promise<SessionClient> {
    const response = await new LedgerClient(baseUrl).post('/auth/sign-in', { email, password }, headers);
    const cookie = sessionCookieOf(response);
    if (response.status !== 200 || !cookie) throw new Error(`sign-in of ${email} answered ${response.status}: ${JSON.stringify(response.body)}`);
    return new SessionClient(baseUrl, cookie, response.body.csrfToken, response.body.user, response.body.csrfToken);
  }

  withoutCsrf(): SessionClient {
    return new SessionClient(this.baseUrl, this.cookie, this.csrfToken, this.user, null);
  }

  withCsrf(token: string): SessionClient {
    return new SessionClient(this.baseUrl, this.cookie, this.csrfToken, this.user, token);
  }

  request<T>(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const csrf: Record<string, string> = this.csrfHeader !== null && method !== 'GET' && method !== 'HEAD' ? { 'x-csrf-token': this.csrfHeader } : {};
    return new LedgerClient(this.baseUrl).request<T>(method, path, body, { cookie: this.cookie, ...csrf, ...headers });
  }
}
