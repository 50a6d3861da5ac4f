/**
 * Times for people at a terminal: the local time, and how long ago
 * ("15:04:05 (3 min ago)"). JSON output keeps VoipNow's ISO times.
 */
const pad = (n: number) => String(n).padStart(2, '0');

/** "3 min ago", "just now", "in 2 min": the distance from `now`, rounded down to one unit. */
export function ago(then: Date, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  const s = Math.abs(seconds);
  if (s < 10) return 'just now';
  const [n, unit] =
    s < 60 ? [s, 's'] : s < 3600 ? [Math.floor(s / 60), 'min'] : s < 86_400 ? [Math.floor(s / 3600), 'h'] : [Math.floor(s / 86_400), Math.floor(s / 86_400) === 1 ? 'day' : 'days'];
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** "15:04:05" today, "2026-11-22 15:04" on another day; in the machine's time zone. */
export function localTime(then: Date, now: Date = new Date()): string {
  const clock = `${pad(then.getHours())}:${pad(then.getMinutes())}`;
  const sameDay = then.getFullYear() === now.getFullYear() && then.getMonth() === now.getMonth() && then.getDate() === now.getDate();
  return sameDay ? `${clock}:${pad(then.getSeconds())}` : `${then.getFullYear()}-${pad(then.getMonth() + 1)}-${pad(then.getDate())} ${clock}`;
}

/** A VoipNow time as "15:04:05 (3 min ago)"; text that is not a time is shown as it is. */
export function when(iso: string, now: Date = new Date()): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  return `${localTime(then, now)} (${ago(then, now)})`;
}
