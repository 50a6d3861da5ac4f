/**
 * Readiness of this replica (`GET /readyz`): each check answers `undefined`
 * when fine or a sentence saying what is wrong. A check that takes too long
 * counts as failed, so a hung database cannot hang the probe.
 */

export interface ReadinessCheck {
  name: string;
  /** A warning, not a failure: reported under `warnings` (with its sentence), the replica stays ready. */
  advisory?: boolean;
  /** Resolves to undefined when ready, or the reason it is not. */
  run(): Promise<string | undefined>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; reason?: string }>;
  /** Advisory checks that did not pass (only when some did not): what an operator should fix, though the replica serves. */
  warnings?: Record<string, string>;
}

export class Readiness {
  constructor(
    private readonly checks: readonly ReadinessCheck[],
    private readonly timeoutMs = 3000,
  ) {}

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map((c) => this.#one(c)));
    const checks: ReadinessReport['checks'] = {};
    const warnings: ReadinessReport['warnings'] = {};
    let ready = true;
    this.checks.forEach((c, i) => {
      const reason = results[i];
      if (c.advisory) {
        if (reason !== undefined) warnings[c.name] = reason;
        return;
      }
      checks[c.name] = reason === undefined ? { ok: true } : { ok: false, reason };
      if (reason !== undefined) ready = false;
    });
    return { ready, checks, ...(Object.keys(warnings).length > 0 && { warnings }) };
  }

  async #one(check: ReadinessCheck): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
      timer.unref();
    });
    try {
      return await Promise.race([check.run().catch((err: unknown) => (err instanceof Error ? err.message : String(err))), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Slack error codes meaning the token itself is refused: no point retrying, stop the start. */
export const REFUSED_TOKEN_CODES = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/** Raised at start when Slack refuses a token; its message is the one line printed before exit 1. */
export class SlackTokenRefusedError extends Error {
  constructor(
    readonly variable: string,
    readonly code: string,
  ) {
    super(
      `Slack refused ${variable} (${code}): copy the current token from api.slack.com/apps > your app (Bot User OAuth Token for SLACK_BOT_TOKEN, App-Level Token for SLACK_APP_TOKEN) and restart.`,
    );
    this.name = 'SlackTokenRefusedError';
  }
}

/** The Slack platform error code of a WebClient error (`err.data.error`), if any. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
