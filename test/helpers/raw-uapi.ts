/**
 * Raw UAPI requests for the sandbox's own tests: plain fetch, no client of ours,
 * so the sandbox is checked against the seed pages and not against our adapter.
 */
import { expect } from 'vitest';

export interface RawResponse {
  status: number;
  json: any;
  headers: Headers;
}

export async function rawRequest(base: string, method: string, path: string, body: unknown, token: string): Promise<RawResponse> {
  const res = await fetch(path.startsWith('http') ? path : base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** A UAPI error answer: the status, the code and a message. */
export function expectUapiError(r: RawResponse, status: number, code: string): void {
  expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status, code });
  expect(typeof r.json.error.message).toBe('string');
}
