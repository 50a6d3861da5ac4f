/**
 * A sandbox PBX and a UAPI HTTP client pointed at it, for the test files that
 * drive the adapter directly: started once per file (or describe block),
 * closed after it, and reset before every test so that no test depends on
 * another's leftovers. Call inside a describe block (or at the top level) and
 * read `sandbox`/`http` from the returned object inside hooks and tests.
 */
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { UapiClient, staticToken } from '../../src/uapi/client.js';
import { UapiError } from '../../src/uapi/errors.js';
import { UapiHttp } from '../../src/uapi/http.js';

export interface SandboxEnvOptions {
  pickupDelayMs: number;
  timeoutMs: number;
  /** before each test, also clear injected faults */
  clearFaults: boolean;
  /** before each test, also forget the requests the sandbox recorded */
  clearRequests: boolean;
}

export interface SandboxEnv {
  readonly sandbox: Sandbox;
  readonly http: UapiHttp;
  /** a client signed in as `userId`, with a fresh token of its own */
  client(userId: string): UapiClient;
}

export function useSandboxEnv(opts: SandboxEnvOptions): SandboxEnv {
  let sandbox: Sandbox | undefined;
  let http: UapiHttp | undefined;
  const env: SandboxEnv = {
    get sandbox() {
      if (!sandbox) throw new Error('the sandbox is not started yet (read it inside hooks and tests)');
      return sandbox;
    },
    get http() {
      if (!http) throw new Error('the UAPI client is not created yet (read it inside hooks and tests)');
      return http;
    },
    client: (userId) => new UapiClient(env.http, staticToken(env.sandbox.issueToken(userId).accessToken)),
  };
  beforeAll(async () => {
    sandbox = await startSandbox({ pickupDelayMs: opts.pickupDelayMs });
    http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: opts.timeoutMs });
  });
  afterAll(async () => {
    http?.close();
    await sandbox?.close();
  });
  beforeEach(() => {
    env.sandbox.reset();
    if (opts.clearFaults) env.sandbox.setFaults({});
    if (opts.clearRequests) env.sandbox.requests.length = 0;
  });
  return env;
}

/** The UapiError `p` rejects with (asserting that it is one); fails if `p` resolves. */
export async function rejection(p: Promise<unknown>): Promise<UapiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UapiError);
    return err as UapiError;
  }
  throw new Error('expected a UapiError');
}
