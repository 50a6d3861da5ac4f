/**
 * A way to run SQL on the store's own connection, for focused stores kept beside the main
 * one (Slack installations, a workspace's data). Statements use `?` placeholders; the
 * PostgreSQL runner numbers them.
 */
export interface SqlRunner {
  dialect: 'sqlite' | 'postgres';
  query(sql: string, params: readonly (string | number | Date | null)[]): Promise<{ rows: Record<string, unknown>[]; changes: number }>;
}

/** `?` placeholders as PostgreSQL's `$1, $2, ...` (the statements here hold no literal `?`). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
