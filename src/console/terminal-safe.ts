/**
 * PBX text (caller names, PBX error messages) printed to a terminal must not
 * drive it: escape sequences (CSI `ESC [ … m`, OSC `ESC ] … BEL`, and the
 * rest), C0 controls other than newline and tab, DEL and C1 controls could
 * clear the screen, move the cursor or rewrite what was printed. Stripped.
 */

const ESC = 0x1b;
const BEL = 0x07;
const ST = 0x9c;

/** C0 controls but tab and newline, DEL, C1 controls. */
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
}

/** Where a control string (OSC, DCS, SOS, PM, APC) that starts at `i` ends: after BEL or ST. */
function endOfString(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === BEL || c === ST) return j + 1;
    if (c === ESC) return text[j + 1] === '\\' ? j + 2 : j;
  }
  return text.length;
}

/** Where a CSI sequence whose parameters start at `i` ends: after its final byte (@ to ~). */
function endOfCsi(text: string, i: number): number {
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c >= 0x40 && c <= 0x7e) return j + 1;
    if (c < 0x20 || c > 0x3f) return j; // not a parameter or intermediate byte: a broken sequence
  }
  return text.length;
}

/** The text without terminal escapes and control characters (newline and tab kept). */
export function terminalSafe(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      const next = text[i + 1];
      if (next === '[') i = endOfCsi(text, i + 2);
      else if (next !== undefined && ']PX^_'.includes(next)) i = endOfString(text, i + 2);
      else i += next === undefined ? 1 : 2;
    } else if (c === 0x9b) i = endOfCsi(text, i + 1);
    else if (c === 0x90 || c === 0x98 || (c >= 0x9d && c <= 0x9f)) i = endOfString(text, i + 1);
    else {
      if (!isControl(c)) out += text[i];
      i++;
    }
  }
  return out;
}
