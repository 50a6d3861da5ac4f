/**
 * The goals beside the figures a bench measured: each bench adds a
 * line as it measures, and the run ends with one summary line per figure
 * (`ack throughput 0.51x bare Bolt (goal ≥ 1.2x)`), so what holds is seen at
 * a glance. Figures, not a test: nothing fails when a goal is missed.
 */
interface GoalLine {
  figure: string;
  value: string;
  goal: string;
  met: boolean;
}

const lines: GoalLine[] = [];

/** Record one figure against its goal. */
export function goal(figure: string, value: string, goalText: string, met: boolean): void {
  lines.push({ figure, value, goal: goalText, met });
}

/** The summary: one line per figure, with the goal beside it. */
export function printGoals(): void {
  if (lines.length === 0) return;
  console.log('\nSummary (one line per figure, goal beside it):');
  for (const l of lines) console.log(`  ${l.met ? 'met   ' : 'MISSED'} ${l.figure} ${l.value} (goal ${l.goal})`);
}
