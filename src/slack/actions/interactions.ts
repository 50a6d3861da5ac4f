/**
 * Buttons on call cards and the call action modal: the listeners are registered
 * here, each in its own file (card-press.ts, modal-submit.ts), and both run
 * through the one action pipeline (pipeline.ts).
 */
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { CALL_MODAL_ID } from './action-modal.js';
import { onCardPress } from './card-press.js';
import { onConfirmPress } from '../commands/confirm-command.js';
import type { SlackDeps } from '../deps.js';
import { onActionModalSubmit } from './modal-submit.js';
import { OpenModals } from './open-modals.js';

export function registerInteractions(app: App, deps: SlackDeps): void {
  const modals = new OpenModals(deps.store);
  app.action<BlockAction<ButtonAction>>(/^call\./, onCardPress(deps, modals));
  app.action<BlockAction<ButtonAction>>(/^command\.(confirm|cancel)$/, onConfirmPress(deps));
  app.view<ViewSubmitAction>(CALL_MODAL_ID, onActionModalSubmit(deps, modals));
}
