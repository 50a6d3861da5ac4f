/**
 * `npx tsx bench/parser.ts`: the command parser on hostile input, as figures.
 * Compare ratios within one run (2 noisy cores), not absolute times.
 *
 * - normalizeText on 20 KB and 200 KB of repeated `<http://` (Slack link markup
 *   with no closing `>`): linear means the 200 KB run costs about 10x the 20 KB one
 *   (it was quadratic: ~100x, 3 s for 200 KB);
 * - parseCommand on a 200 KB text (refused by the length limit at once) and on a
 *   short command, per call.
 */
import { normalizeText, parseCommand } from '../src/calls/command.js';

function best(fn: () => void, runs = 5): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}
const tryParse = (text: string) => {
  try {
    parseCommand(text);
  } catch {
    /* a CommandError is an answer too */
  }
};

const piece = '<http://';
const small = piece.repeat(2_560); // 20 KB
const big = piece.repeat(25_600); // 200 KB
const tSmall = best(() => normalizeText(small));
const tBig = best(() => normalizeText(big), 3);
const short = 'hold 0003*210 b817d2618fe6f1804333';
const tShort =
  best(() => {
    for (let i = 0; i < 1000; i++) tryParse(short);
  }) / 1000;
const tParseBig = best(() => tryParse(`hold ${big}`));
console.log(`normalizeText 20 KB <http://   ${tSmall.toFixed(2)} ms`);
console.log(`normalizeText 200 KB <http://  ${tBig.toFixed(2)} ms   (200 KB / 20 KB = ${(tBig / tSmall).toFixed(1)}x; linear ~10x, quadratic ~100x)`);
console.log(`parseCommand short command     ${(tShort * 1000).toFixed(1)} µs`);
console.log(`parseCommand 200 KB text       ${tParseBig.toFixed(3)} ms   (${(tParseBig / tShort).toFixed(0)}x a short command)`);
