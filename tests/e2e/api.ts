import { expect, type APIRequestContext } from '@playwright/test';

/**
 * The API as the tests use it to set the scene and to check the screens against
 * (never to drive what the operator does on screen). Calls the server's own origin.
 */
export class Api {
  constructor(
    private readonly request: APIRequestContext,
    private readonly base: string,
    private token: string,
  ) {}

  static async login(request: APIRequestContext, base: string, username: string, password: string): Promise<Api> {
    const response = await request.post(`${base}/api/auth/login`, { data: { username, password } });
    expect(response.status(), await response.text()).toBe(200);
    const { accessToken } = (await response.json()) as { accessToken: string };
    return new Api(request, base, accessToken);
  }

  private headers() {
    return { Authorization: `Bearer ${this.token}` };
  }

  /** The bearer header of this session, for a raw request. */
  authHeaders(): Record<string, string> {
    return this.headers();
  }

  async get<T>(path: string, params: Record<string, string | number | boolean> = {}): Promise<T> {
    const response = await this.request.get(`${this.base}${path}`, { headers: this.headers(), params });
    expect(response.status(), `GET ${path}: ${await response.text()}`).toBe(200);
    return (await response.json()) as T;
  }

  async send<T>(method: 'POST' | 'PUT', path: string, data: unknown, status = method === 'POST' ? 201 : 200): Promise<T> {
    const response = await this.request.fetch(`${this.base}${path}`, { method, headers: this.headers(), data });
    expect(response.status(), `${method} ${path}: ${await response.text()}`).toBe(status);
    return (await response.json()) as T;
  }

  createClient(fields: Record<string, unknown>) {
    return this.send<{ client: ClientView; credentials: { username: string; password: string } }>('POST', '/api/clients', fields);
  }

  /** How many items a list has (its pagination total), with these filters. */
  async count(path: string, params: Record<string, string | number | boolean> = {}): Promise<number> {
    const body = await this.get<{ pagination: { total: number } }>(path, { ...params, limit: 1 });
    return body.pagination.total;
  }
}

export interface ClientView {
  id: number;
  accountNumber: string;
  companyName: string;
  contactEmail: string;
  isActive: boolean;
  username: string | null;
  credits: number;
}
