/**
 * The statements each dialect provides: every focused SQL store's own set (declared beside it),
 * together. Parameters are positional, in the order given; column names in result rows are the
 * snake_case table columns.
 */
import type { AccountStatements } from './sql-accounts.js';
import type { AuditStatements } from './sql-audit.js';
import type { BoardCardStatements } from './sql-board-cards.js';
import type { BoardChannelPauseStatements } from './sql-board-channel-pauses.js';
import type { CallCardStatements } from './sql-call-cards.js';
import type { CardVersionStatements } from './sql-card-versions.js';
import type { ClaimStatements } from './sql-claims.js';
import type { OAuthStateStatements } from './sql-oauth-states.js';
import type { OpenModalStatements } from './sql-open-modals.js';
import type { PhoneLineStatements } from './sql-phone-lines.js';
import type { SlackCallStatements } from './sql-slack-calls.js';
import type { RetentionStatements } from './sql-retention.js';
import type { WatchStatements } from './sql-watches.js';

export type StoreStatements = AccountStatements &
  PhoneLineStatements &
  SlackCallStatements &
  OAuthStateStatements &
  ClaimStatements &
  OpenModalStatements &
  CallCardStatements &
  CardVersionStatements &
  WatchStatements &
  BoardCardStatements &
  BoardChannelPauseStatements &
  AuditStatements &
  RetentionStatements;
