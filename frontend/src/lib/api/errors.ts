import type { components } from './schema';

export type ErrorBody = components['schemas']['ErrorBody'];
export type FieldErrors = Record<string, string[]>;

/** An answer from the API that is not a success, or no answer at all (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly details: FieldErrors;
  /** Seconds from a `Retry-After` header (429), when present. */
  readonly retryAfter: number | null;

  constructor(status: number, message: string, details: FieldErrors = {}, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}

function fallbackMessage(status: number): string {
  if (status === 0) return 'The server cannot be reached. Check your connection and try again.';
  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'You are not allowed to do this.';
  if (status === 404) return 'Not found.';
  if (status === 429) return 'Too many attempts. Please wait and try again.';
  if (status >= 500) return 'The server had a problem. Please try again later.';
  return `Request failed (HTTP ${status}).`;
}

export function toApiError(response: Response, body: unknown): ApiError {
  const retryHeader = response.headers.get('Retry-After');
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
  if (isErrorBody(body)) {
    return new ApiError(response.status, body.error, body.details ?? {}, retryAfter);
  }
  return new ApiError(response.status, fallbackMessage(response.status), {}, retryAfter);
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Await an openapi-fetch call and return its data, or throw an `ApiError`
 * (network failures become status 0).
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw new ApiError(0, fallbackMessage(0));
  }
  if (!result.response.ok) throw toApiError(result.response, result.error);
  return result.data as T;
}

/** A message for any thrown value, for the error modal. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/**
 * True for the 401 of an authenticated call whose session is gone (the refresh
 * failed and the tokens were dropped). The app already says "Session ended"
 * then, so forms need not report it again. Not for login calls, whose 401 means
 * wrong credentials.
 */
export function isEndedSession(error: unknown, hasAccessToken: boolean): boolean {
  return error instanceof ApiError && error.status === 401 && !hasAccessToken;
}
