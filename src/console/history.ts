/**
 * The prompt's history, kept between runs in a file (DATA_DIR/console_history,
 * private to its owner). Best effort: a history that cannot be read or written
 * never stops the console.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const HISTORY_FILE_NAME = 'console_history';
export const HISTORY_SIZE = 500;

/** The saved lines, newest first (as readline wants them). */
export function loadHistory(file: string, size = HISTORY_SIZE): string[] {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  } catch {
    return [];
  }
  if (lines.length > size) {
    lines = lines.slice(-size);
    try {
      writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    } catch {
      // keep going without trimming
    }
  }
  return lines.reverse();
}

/** Adds one line (oldest first in the file). */
export function saveHistoryLine(file: string, line: string): void {
  if (!line.trim()) return;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
  } catch {
    // history is a convenience
  }
}
