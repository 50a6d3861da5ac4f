/**
 * Ten SIGKILLs in a row at random moments, on SQLite and on PostgreSQL: a real callops process
 * (`src/main.ts`) shows an answered call on a board card and on a call card; each round makes one
 * change (a press on the call card through a signed request, or a desk-phone change in the
 * sandbox, in turn), kills the process at a moment drawn from a seeded PRNG between 5 ms and 1 s
 * later, and restarts it. After every restart, within 20 s: the board card shows what the PBX
 * shows, every change the PBX made has exactly one audit line (none lost, none doubled), no card
 * was posted twice, and a pressed call card shows the press's result or says it was interrupted
 * (never left "working…"). The seed is printed; `KILL_SEED` replays one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../src/sandbox/random.js';
import { headOf, KILL_BACKENDS, type KillStack, startKillStack } from './helpers/kill-stack.js';
import { waitUntil } from './helpers/wait.js';

const ROUNDS = 10;
const SEED = process.env.KILL_SEED !== undefined ? Number(process.env.KILL_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 32);
console.info(`cards.kill-random: KILL_SEED=${SEED} (set it to replay these kill moments)`);

/** The board's own line for a change it read, and the line of the action that made it (who did it). */
const BOARD_LINE = { hold: /^put on hold$/, resume: /^resumed$/ };
const ACTION_LINE = { hold: /^<@UA> put on hold the call.*: done$/, resume: /^<@UA> took off hold the call.*: done$/ };

/** The changes a card's thread tells, by kind: a change told twice (by the board and by an action, or twice by either) counts twice. */
function toldChanges(lines: readonly string[]): { hold: number; resume: number } {
  const told = { hold: 0, resume: 0 };
  for (const line of lines) {
    for (const kind of ['hold', 'resume'] as const) if (BOARD_LINE[kind].test(line) || ACTION_LINE[kind].test(line)) told[kind]++;
  }
  return told;
}

for (const [n, backend] of KILL_BACKENDS.entries()) {
  describe.skipIf(backend.skip)(`ten SIGKILLs at random moments (${backend.name})`, () => {
    const BOARD = `CRAND${n}`;
    const CARDS = `CRANDCARD${n}`;
    let k: KillStack;
    let id = '';
    let cardTs = '';

    beforeAll(async () => {
      k = await startKillStack(backend.name, BOARD);
      id = await k.answeredCall();
      cardTs = await k.postCallCard(id, CARDS);
    }, 120_000);

    afterAll(async () => {
      await k?.close();
    });

    const callCard = () => JSON.stringify(k.api.message(CARDS, cardTs)?.blocks ?? []);
    /** Presses `action` on the call card, refreshing it first when it does not offer that button (an interrupted press left it as it was). */
    const press = async (action: 'hold' | 'resume') => {
      if (/Interrupted by a callops restart/.test(callCard()) || !(await k.press(CARDS, cardTs, `call.${action}.`))) {
        expect(await k.press(CARDS, cardTs, 'call.refresh')).toBe(true);
        await waitUntil(`the refreshed call card to offer ${action}`, () => !/working…|Interrupted/.test(callCard()) && callCard().includes(`"call.${action}.`), 20_000);
        expect(await k.press(CARDS, cardTs, `call.${action}.`)).toBe(true);
      }
    };

    it('after every restart the cards show the PBX, each change has one audit line, no card is posted twice', async () => {
      const rand = seededRandom(SEED + n);
      let holds = 0;
      let resumes = 0;
      const history: string[] = [];
      // After the ten killed rounds, one more change without a kill: a line doubled late in the last round shows then.
      for (let round = 0; round <= ROUNDS; round++) {
        const killed = round < ROUNDS;
        const wasHeld = k.heldAtPbx(id);
        const action = wasHeld ? 'resume' : 'hold';
        const how = killed && round % 2 === 0 ? 'press' : 'desk';
        const delayMs = 5 + Math.floor(rand() * 995);
        if (how === 'press') await press(action);
        else await k.desk(id, action);
        const killedAt = Date.now();
        if (killed) {
          // The kill moment is the point of the test: a deliberate delay, drawn from the seed.
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          await k.killAndRestart();
        }
        const restartMs = Date.now() - killedAt;
        const held = k.heldAtPbx(id);
        if (held !== wasHeld) {
          if (held) holds++;
          else resumes++;
        }
        history.push(`round ${round}: ${how} ${action}, ${killed ? `killed after ${delayMs} ms, restarted in ${restartMs} ms` : 'not killed'}, PBX ${held ? 'held' : 'not held'}`);
        const state = () => {
          const board = k.cards(id);
          return {
            boardCards: board.length,
            head: headOf(board[0]),
            told: toldChanges(k.lines(id)),
            callCards: k.api.callsTo('chat.postMessage').filter((c) => c.body.channel === CARDS && c.body.thread_ts === undefined).length,
            working: /working…/.test(callCard()),
            interrupted: /Interrupted by a callops restart/.test(callCard()),
            callCardHead: headOf(k.api.message(CARDS, cardTs)),
          };
        };
        const settled = () => {
          const s = state();
          // A pressed call card shows the press's result, or says the press was interrupted (a desk change does not redraw it).
          const callCardOk = !s.working && (how === 'desk' || s.interrupted || /hold/i.test(s.callCardHead) === held);
          return s.boardCards === 1 && /hold/i.test(s.head) === held && s.told.hold === holds && s.told.resume === resumes && s.callCards === 1 && callCardOk;
        };
        await waitUntil(`round ${round}: the cards to show the PBX, one audit line per change`, settled, 20_000).catch((err: Error) => {
          throw new Error(
            `${err.message}\nKILL_SEED=${SEED}\n${history.join('\n')}\nexpected ${holds} hold and ${resumes} resume line(s); now ${JSON.stringify(state())}\nlines: ${JSON.stringify(k.lines(id))}\n${k.logs()}`,
          );
        });
        history[history.length - 1] += `, settled ${Date.now() - killedAt - restartMs} ms after the restart`;
      }
      console.info(`cards.kill-random (${backend.name}, KILL_SEED=${SEED}):\n${history.join('\n')}`);
      // Every call on the board has exactly one card.
      const shown = [...k.sandbox.world.calls.keys()].filter((c) => k.cards(c).length > 0);
      expect(shown.map((c) => [c, k.cards(c).length])).toEqual(shown.map((c) => [c, 1]));
      expect(holds + resumes).toBeGreaterThan(0);
    }, 240_000);
  });
}
