/**
 * The Store over an abstract SQL connection, shared by SQLite and PostgreSQL: its lifecycle
 * (migrate once, close once, ping) and the focused SQL stores it is made of (sql-accounts.ts, sql-phone-lines.ts, sql-slack-calls.ts,
 * sql-oauth-states.ts, sql-claims.ts, sql-open-modals.ts, sql-call-cards.ts, sql-card-versions.ts, sql-watches.ts,
 * sql-board-cards.ts, sql-board-channel-pauses.ts, sql-audit.ts, sql-retention.ts), which all run on one SqlSession. Each
 * dialect supplies only its SQL (`StoreStatements`, `Migration[]`), a way to run a statement,
 * its timestamp encoding and, where it has one, a lock shared by processes.
 */
import type { TokenCipher } from './crypto.js';
import { SqlAccountStore } from './sql-accounts.js';
import { SqlAuditStore } from './sql-audit.js';
import { SqlBoardCardStore } from './sql-board-cards.js';
import { SqlBoardChannelPauseStore } from './sql-board-channel-pauses.js';
import { SqlCallCardStore } from './sql-call-cards.js';
import { SqlCardVersionStore } from './sql-card-versions.js';
import { SqlClaimStore } from './sql-claims.js';
import { SqlOAuthStateStore } from './sql-oauth-states.js';
import { SqlOpenModalStore } from './sql-open-modals.js';
import { SqlPhoneLineStore } from './sql-phone-lines.js';
import { SqlSlackCallStore } from './sql-slack-calls.js';
import { SqlRetentionStore } from './sql-retention.js';
import type { QueryResult, SqlParam, SqlSession } from './sql-session.js';
import { SqlWatchStore } from './sql-watches.js';
import type { StoreStatements } from './statements.js';
import type { OutboxStore } from './outbox.js';
import type { OutboxStatements } from './outbox-statements.js';
import { type BatchStep, SqlOutbox } from './sql-outbox.js';
import type {
  AccountStore,
  AuditStore,
  BoardCardStore,
  BoardChannelPauseStore,
  CallCardStore,
  CardVersionStore,
  ClaimStore,
  OAuthStateStore,
  OpenModalStore,
  PhoneLineStore,
  SlackCallStore,
  RetentionStore,
  Store,
  WatchStore,
} from './types.js';

/** The tail of each held in-process lock, by database and name (shared by the store objects of a process). */
const PROCESS_LOCKS = new Map<string, Promise<unknown>>();

/**
 * Subclasses provide statements, `query`, `encodeTimestamp`, `migrate` and `closeConnection`,
 * and may override `withLock` (a lock across processes) and `ping`.
 */
export abstract class SqlStore implements Store {
  protected abstract readonly statements: StoreStatements;
  #ready: Promise<void> | undefined;
  #closed = false;
  readonly #accounts: AccountStore;
  readonly #phoneLines: PhoneLineStore;
  readonly #slackCalls: SlackCallStore;
  readonly #oauthStates: OAuthStateStore;
  readonly #claims: SqlClaimStore;
  readonly #openModals: OpenModalStore;
  readonly #callCards: CallCardStore;
  readonly #cardVersions: CardVersionStore;
  readonly #watches: WatchStore;
  readonly #boardCards: BoardCardStore;
  readonly #boardChannelPauses: BoardChannelPauseStore;
  readonly #audit: AuditStore;
  readonly #retention: RetentionStore;
  /** The board's outbox on this database (a plain property, bound to this store when it is made). */
  readonly outbox: OutboxStore;

  protected constructor(cipher: TokenCipher) {
    const store = this;
    const session: SqlSession<StoreStatements> = {
      // Read when a statement runs: the subclass sets its statements after this constructor.
      get statements() {
        return store.statements;
      },
      run: (sql, params) => this.#run(sql, params),
      ts: (d, what) => this.#ts(d, what),
      withLock: (name, fn) => this.withLock(name, fn),
    };
    this.#accounts = new SqlAccountStore(session, cipher);
    this.#phoneLines = new SqlPhoneLineStore(session);
    this.#slackCalls = new SqlSlackCallStore(session);
    this.#oauthStates = new SqlOAuthStateStore(session);
    this.#claims = new SqlClaimStore(session, (intent) => this.outbox.commitBoardChange({ intents: [intent] }));
    this.#openModals = new SqlOpenModalStore(session);
    this.#callCards = new SqlCallCardStore(session);
    this.#cardVersions = new SqlCardVersionStore(session);
    this.#watches = new SqlWatchStore(session);
    this.#boardCards = new SqlBoardCardStore(session);
    this.#boardChannelPauses = new SqlBoardChannelPauseStore(session);
    this.#audit = new SqlAuditStore(session);
    this.#retention = new SqlRetentionStore(session);
    this.outbox = new SqlOutbox({
      // A subclass's field, so read when used (after construction).
      get statements() {
        return store.outboxStatements;
      },
      batch: async (steps) => {
        await store.init();
        return store.batch(steps);
      },
      query: (sql, params) => store.#run(sql, params),
      ts: (d, what) => store.#ts(d, what),
      get oneStatement() {
        return store.boardChangeInOneStatement;
      },
    });
  }

  /** Runs one statement with positional parameters. */
  protected abstract query(sql: string, params: readonly SqlParam[]): Promise<QueryResult>;
  /** How this dialect stores a timestamp (e.g. epoch ms for SQLite, Date for timestamptz). */
  protected abstract encodeTimestamp(d: Date): SqlParam;
  /** Creates or upgrades the schema. */
  protected abstract migrate(): Promise<void>;
  protected abstract closeConnection(): Promise<void>;
  /** Runs the steps in one transaction; undefined (rolled back) when a step's `expect` failed. */
  protected abstract batch(steps: readonly BatchStep[]): Promise<QueryResult[] | undefined>;
  protected abstract readonly outboxStatements: OutboxStatements;
  /** Whether a board change is stored as one statement (PostgreSQL: one round trip) rather than a transaction of several. */
  protected readonly boardChangeInOneStatement: boolean = false;

  /** Connects and migrates; idempotent, and retried on the next call if it failed. */
  init(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('Store is closed'));
    this.#ready ??= this.migrate().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#ready?.catch(() => undefined);
    await this.closeConnection();
  }

  // Same SQL in both dialects, so not in StoreStatements.
  async ping(): Promise<void> {
    // Reads a table of ours, so a dropped or unreachable schema fails, not only a dead connection.
    await this.#run('SELECT version FROM schema_version LIMIT 1', []);
  }

  async #run(sql: string, params: readonly SqlParam[]): Promise<QueryResult> {
    await this.init();
    return this.query(sql, params);
  }

  #ts(d: Date, what: string): SqlParam {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`Store: ${what} must be a valid Date`);
    return this.encodeTimestamp(d);
  }

  /** Which database the in-process lock covers: every store object of this process on it shares the lock. */
  protected lockScope = `store:${Math.random()}`;

  /** A lock inside the process, per name and database; PostgreSQL overrides it with an advisory lock shared by replicas. */
  protected async withLock<T>(name: readonly string[], fn: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([this.lockScope, ...name]);
    const before = PROCESS_LOCKS.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    PROCESS_LOCKS.set(key, tail);
    try {
      return await run;
    } finally {
      if (PROCESS_LOCKS.get(key) === tail) PROCESS_LOCKS.delete(key);
    }
  }

  // The focused stores, each method handed to the one that owns it.

  getLinkedAccount: AccountStore['getLinkedAccount'] = (...a) => this.#accounts.getLinkedAccount(...a);
  saveLinkedAccount: AccountStore['saveLinkedAccount'] = (...a) => this.#accounts.saveLinkedAccount(...a);
  deleteLinkedAccount: AccountStore['deleteLinkedAccount'] = (...a) => this.#accounts.deleteLinkedAccount(...a);
  setLinkedAccountExtension: AccountStore['setLinkedAccountExtension'] = (...a) => this.#accounts.setLinkedAccountExtension(...a);
  replaceLinkedAccountTokens: AccountStore['replaceLinkedAccountTokens'] = (...a) => this.#accounts.replaceLinkedAccountTokens(...a);
  withTokenRefreshLock<T>(teamId: string, slackUserId: string, fn: () => Promise<T>): Promise<T> {
    return this.#accounts.withTokenRefreshLock(teamId, slackUserId, fn);
  }
  countLinkedAccounts: AccountStore['countLinkedAccounts'] = () => this.#accounts.countLinkedAccounts();
  reencryptTokens: AccountStore['reencryptTokens'] = () => this.#accounts.reencryptTokens();

  listLinkedLines: PhoneLineStore['listLinkedLines'] = () => this.#phoneLines.listLinkedLines();
  setMissedCallDms: PhoneLineStore['setMissedCallDms'] = (...a) => this.#phoneLines.setMissedCallDms(...a);

  saveSlackCall: SlackCallStore['saveSlackCall'] = (...a) => this.#slackCalls.saveSlackCall(...a);
  listSlackCalls: SlackCallStore['listSlackCalls'] = () => this.#slackCalls.listSlackCalls();
  takeSlackCall: SlackCallStore['takeSlackCall'] = (...a) => this.#slackCalls.takeSlackCall(...a);

  createOAuthState: OAuthStateStore['createOAuthState'] = (...a) => this.#oauthStates.createOAuthState(...a);
  consumeOAuthState: OAuthStateStore['consumeOAuthState'] = (...a) => this.#oauthStates.consumeOAuthState(...a);

  claimOnce: ClaimStore['claimOnce'] = (...a) => this.#claims.claimOnce(...a);
  claimChain: ClaimStore['claimChain'] = (...a) => this.#claims.claimChain(...a);
  releaseClaim: ClaimStore['releaseClaim'] = (...a) => this.#claims.releaseClaim(...a);
  listActionHolds: ClaimStore['listActionHolds'] = (...a) => this.#claims.listActionHolds(...a);

  saveOpenModal: OpenModalStore['saveOpenModal'] = (...a) => this.#openModals.saveOpenModal(...a);
  takeOpenModal: OpenModalStore['takeOpenModal'] = (...a) => this.#openModals.takeOpenModal(...a);

  saveCallCard: CallCardStore['saveCallCard'] = (...a) => this.#callCards.saveCallCard(...a);
  findCallCards: CallCardStore['findCallCards'] = (...a) => this.#callCards.findCallCards(...a);
  deleteCallCard: CallCardStore['deleteCallCard'] = (...a) => this.#callCards.deleteCallCard(...a);

  nextCardVersion: CardVersionStore['nextCardVersion'] = (...a) => this.#cardVersions.nextCardVersion(...a);
  getCardVersion: CardVersionStore['getCardVersion'] = (...a) => this.#cardVersions.getCardVersion(...a);

  addWatch: WatchStore['addWatch'] = (...a) => this.#watches.addWatch(...a);
  removeWatch: WatchStore['removeWatch'] = (...a) => this.#watches.removeWatch(...a);
  listWatchesForExtension: WatchStore['listWatchesForExtension'] = (...a) => this.#watches.listWatchesForExtension(...a);
  listWatchesForChannel: WatchStore['listWatchesForChannel'] = (...a) => this.#watches.listWatchesForChannel(...a);
  listWatches: WatchStore['listWatches'] = () => this.#watches.listWatches();
  updateWatch: WatchStore['updateWatch'] = (...a) => this.#watches.updateWatch(...a);
  findWatchBySecret: WatchStore['findWatchBySecret'] = (...a) => this.#watches.findWatchBySecret(...a);
  countWatchedExtensions: WatchStore['countWatchedExtensions'] = () => this.#watches.countWatchedExtensions();

  saveBoardCard: BoardCardStore['saveBoardCard'] = (...a) => this.#boardCards.saveBoardCard(...a);
  getBoardCard: BoardCardStore['getBoardCard'] = (...a) => this.#boardCards.getBoardCard(...a);
  findBoardCardAt: BoardCardStore['findBoardCardAt'] = (...a) => this.#boardCards.findBoardCardAt(...a);
  listLiveBoardCards: BoardCardStore['listLiveBoardCards'] = () => this.#boardCards.listLiveBoardCards();
  saveBoardCardMemory: BoardCardStore['saveBoardCardMemory'] = (...a) => this.#boardCards.saveBoardCardMemory(...a);
  raiseBoardFence: BoardCardStore['raiseBoardFence'] = (...a) => this.#boardCards.raiseBoardFence(...a);

  pauseBoardChannel: BoardChannelPauseStore['pauseBoardChannel'] = (...a) => this.#boardChannelPauses.pauseBoardChannel(...a);
  resumeBoardChannel: BoardChannelPauseStore['resumeBoardChannel'] = (...a) => this.#boardChannelPauses.resumeBoardChannel(...a);
  listBoardChannelPauses: BoardChannelPauseStore['listBoardChannelPauses'] = () => this.#boardChannelPauses.listBoardChannelPauses();

  appendAuditEntry: AuditStore['appendAuditEntry'] = (...a) => this.#audit.appendAuditEntry(...a);
  listAuditEntries: AuditStore['listAuditEntries'] = (...a) => this.#audit.listAuditEntries(...a);

  purgeExpired: RetentionStore['purgeExpired'] = (...a) => this.#retention.purgeExpired(...a);
}
