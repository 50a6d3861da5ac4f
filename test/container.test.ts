/**
 * No container engine runs on the build machine, so the container files are checked here as
 * far as they can be without one: the image runs what `npm start` runs, as a non-root user,
 * with a health check on /healthz; the compose file parses, starts PostgreSQL, the sandbox and
 * two replicas, and sets only variables callops knows; .dockerignore keeps secrets out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parse as parseEnv } from 'dotenv';
import { VARIABLES, loadConfig } from '../src/config.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };
const buildConfig = JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { rootDir: string; outDir: string } };

/** Dockerfile instructions (continuation lines joined), split into stages. */
function stages(): Array<{ from: string; lines: string[] }> {
  const text = read('Dockerfile').replace(/\\\n/g, ' ');
  const out: Array<{ from: string; lines: string[] }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (/^FROM\s/i.test(line)) out.push({ from: line, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** `dist/x.js` → the source file `tsc -p tsconfig.build.json` compiles into it. */
function sourceOf(distPath: string): string {
  const { rootDir, outDir } = buildConfig.compilerOptions;
  expect(distPath.startsWith(`${outDir}/`)).toBe(true);
  return `${rootDir}/${distPath.slice(outDir.length + 1).replace(/\.js$/, '.ts')}`;
}

describe('Dockerfile', () => {
  const all = stages();
  const final = all.at(-1)!;
  const instr = (name: string) => final.lines.filter((l) => l.toUpperCase().startsWith(`${name} `));

  it('is multi-stage on the Node major the project runs, the last stage small (slim) and without sources', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const major = /(\d+)/.exec(pkg.engines.node)![1];
    for (const s of all) expect(s.from).toMatch(new RegExp(`node:${major}-[a-z]+-slim`));
    expect(final.lines.join('\n')).not.toMatch(/COPY\s+(--\S+\s+)*src\b/);
    expect(final.lines.join('\n')).toMatch(/COPY --from=build .*\/app\/dist/);
  });

  it('runs as a non-root user', () => {
    const users = instr('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/USER\s+(root|0)(\s|:|$)/);
  });

  it('runs the same command as `npm start`, and that file is what the build produces', () => {
    const cmd = JSON.parse(instr('CMD').at(-1)!.slice(4)) as string[];
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
    const entry = cmd.find((a) => a.endsWith('.js'))!;
    expect(existsSync(new URL(sourceOf(entry), root))).toBe(true);
    expect(all[0]!.lines.join('\n')).toContain('npm run build');
  });

  it('has a HEALTHCHECK on /healthz at PORT, and exposes that port', () => {
    const hc = instr('HEALTHCHECK').join(' ');
    expect(hc).toContain('/healthz');
    expect(hc).toContain('process.env.PORT');
    expect(final.lines.join('\n')).toMatch(/PORT=3000/);
    expect(instr('EXPOSE')).toEqual(['EXPOSE 3000']);
  });

  it('.dockerignore keeps secrets, local data and dependencies out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const p of ['.env', 'node_modules', 'data', 'dist', '.git']) expect(ignored).toContain(p);
  });
});

describe('compose.yml', () => {
  interface Service {
    image?: string;
    build?: unknown;
    command?: string[];
    environment?: Record<string, string>;
    env_file?: string[];
    ports?: string[];
    depends_on?: Record<string, unknown>;
    healthcheck?: unknown;
  }
  const text = read('compose.yml');
  const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const replicas = Object.entries(services).filter(([, s]) => s.image === 'callops:latest' && !s.command);

  it('starts PostgreSQL, the sandbox PBX as its own service, and two callops replicas on it', () => {
    expect(services.postgres?.image).toMatch(/^postgres:/);
    expect(services.postgres?.healthcheck).toBeDefined();
    expect(replicas.map(([name]) => name)).toEqual(['callops-1', 'callops-2']);
    for (const [, s] of replicas) {
      expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(s.environment?.VOIPNOW_URL).toBe('http://sandbox:8080');
      expect(Object.keys(s.depends_on ?? {})).toEqual(expect.arrayContaining(['postgres', 'sandbox']));
    }
  });

  it('runs the sandbox from the compiled CLI, listening on the port the replicas use', () => {
    const cmd = services.sandbox!.command!;
    expect(existsSync(new URL(sourceOf(cmd[1]!), root))).toBe(true);
    expect(cmd).toEqual(expect.arrayContaining(['--host', '0.0.0.0', '--port', '8080']));
  });

  it('sets only variables callops reads, and every $VAR it takes from .env is in .env.example', () => {
    const example = new Set([...read('.env.example').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    for (const [, s] of replicas) for (const name of Object.keys(s.environment ?? {})) expect(Object.keys(VARIABLES), name).toContain(name);
    for (const name of Object.keys(services.sandbox!.environment ?? {})) expect(example, name).toContain(name);
    const interpolated = [...text.matchAll(/\$\{([A-Z_]+)[:?-]/g)].map((m) => m[1]);
    expect(interpolated.length).toBeGreaterThan(0);
    for (const name of interpolated) expect(example, name).toContain(name);
  });

  it('publishes every port on 127.0.0.1 only (the sandbox has open control endpoints)', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.map(([name]) => name).sort()).toEqual(['callops-1', 'callops-2', 'sandbox']);
    for (const [name, p] of published) expect(p, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    expect(services.postgres?.ports).toBeUndefined();
  });

  it('writes no secret: the replicas read .env (which git ignores), and secret variables are only taken from it', () => {
    for (const [name, s] of replicas) expect(s.env_file, name).toEqual(['.env']);
    expect(
      read('.gitignore')
        .split('\n')
        .map((l) => l.trim()),
    ).toContain('.env');
    const secretName = /SECRET|TOKEN|PASSWORD|_KEY/;
    for (const [service, s] of Object.entries(services)) {
      for (const [name, value] of Object.entries(s.environment ?? {})) {
        // A secret's value is `${VAR:?...}` from .env, never a literal and never a default.
        if (secretName.test(name)) expect(value, `${service}.${name}`).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
      }
    }
    for (const [, s] of replicas) expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/callops:\$\{POSTGRES_PASSWORD:\?[^}]*\}@/);
  });

  it('a .env made from .env.example (Slack values, key and password filled in) starts the replicas in production', () => {
    const env: Record<string, string> = {
      ...parseEnv(read('.env.example')),
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32),
      POSTGRES_PASSWORD: 'pw',
    };
    // What compose does: ${VAR:?msg} and ${VAR:-default} from .env; `environment` wins over env_file.
    const interpolate = (v: string) => v.replace(/\$\{([A-Z_]+)(?::([?-])([^}]*))?\}/g, (_, n: string, op?: string, d?: string) => env[n] || (op === '-' ? (d ?? '') : ''));
    // The image's own ENV (NODE_ENV=production, PORT, DATA_DIR) is beneath both.
    const imageEnv = Object.fromEntries(
      stages()
        .at(-1)!
        .lines.filter((l) => /^ENV\s/i.test(l))
        .flatMap((l) => [...l.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])),
    );
    expect(imageEnv.NODE_ENV).toBe('production');
    for (const [name, s] of replicas) {
      const wired = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
      const config = loadConfig({ ...imageEnv, ...env, ...wired });
      expect(config.production, name).toBe(true);
      expect(config.voipnow?.url).toBe('http://sandbox:8080');
      expect(config.databaseUrl).toBe('postgres://callops:pw@postgres:5432/callops');
    }
  });

  it('the README documents deploying with it', () => {
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Deploying'));
    expect(readme).toContain('## Deploying');
    for (const word of ['compose.yml', 'docker compose up', 'PUBLIC_URL', 'TOKEN_ENCRYPTION_KEY', 'HTTPS', 'backup', '/readyz', '/metrics']) {
      expect(section, word).toContain(word);
    }
  });
});
