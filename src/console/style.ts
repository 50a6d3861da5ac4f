/**
 * Colours and the "VoipNow is slow" spinner, for a terminal only: plain text
 * when output is piped, when NO_COLOR is set (https://no-color.org) or with
 * --no-color; --color forces colours.
 */
export interface Style {
  ok(text: string): string;
  error(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function useColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function style(color: boolean): Style {
  return color ? { ok: sgr(32, 39), error: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) } : { ok: plain, error: plain, dim: plain, bold: plain };
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface SpinnerStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Runs `work`; if it is still running after `delayMs` and the stream is a
 * terminal, shows a spinner with `label` until it settles, then erases it.
 */
export async function withSpinner<T>(stream: SpinnerStream, label: string, work: Promise<T>, opts: { delayMs?: number; intervalMs?: number } = {}): Promise<T> {
  if (!stream.isTTY) return work;
  let frame = 0;
  let shown = false;
  let ticker: NodeJS.Timeout | undefined;
  const draw = () => {
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`);
    shown = true;
  };
  const starter = setTimeout(() => {
    draw();
    ticker = setInterval(draw, opts.intervalMs ?? 80);
  }, opts.delayMs ?? 300);
  try {
    return await work;
  } finally {
    clearTimeout(starter);
    if (ticker) clearInterval(ticker);
    if (shown) stream.write('\r\u001b[2K');
  }
}
