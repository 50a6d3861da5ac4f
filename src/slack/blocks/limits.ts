/**
 * Block Kit's size limits: the one table every builder of blocks reads (cards,
 * lists, the board, help, modals). From Slack's Block Kit reference, as kept in
 * test/fixtures/slack/block-kit-limits.json: a message holds at most 50 blocks
 * and a modal 100; a section's text at most 3000 characters; a button's text
 * 75, its value 2000; an action_id or block_id 255; an actions block 25
 * elements, a context block 10; a modal's title, submit and close 24; an
 * input's label 2000 and placeholder 150; private_metadata 3000.
 */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  contextElements: 10,
  /** mrkdwn or plain_text element of a context block */
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  headerText: 150,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  confirmTitle: 100,
  confirmText: 300,
  privateMetadata: 3000,
  /** chat.postMessage's top-level text: Slack truncates past 40 000; cards keep it short. */
  messageText: 3000,
} as const;

/** Text cut to `max` characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
