export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** The verbs over one `request`: the token client below and the session client (session-client.ts) differ only in it. */
export abstract class ApiClient {
  abstract request<T>(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  put<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body, headers);
  }
}

/** A small HTTP client for the ledger's API over real HTTP, as the admin UI would call it. */
export class LedgerClient extends ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {
    super();
  }

  as(token: string | undefined): LedgerClient {
    return new LedgerClient(this.baseUrl, token);
  }

  async request<T>(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: (type.includes('json') && text ? JSON.parse(text) : text) as T, headers: response.headers };
  }
}
