/**
 * The layers stay honest: every import of every file under src/ is read (static,
 * type-only, re-exports and dynamic import()) and checked against the rules of
 * the project's guide. A failure lists every offending import with its rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url);

interface Rule {
  /** Which files the rule is about: a folder ('uapi/') or a file ('log.ts'), relative to src/. */
  files: string;
  /** What they must not import: folders/files of src/ ('calls/') or package prefixes ('@slack/'). */
  forbid: string[];
  /** Or: may only import from these folders of src/ (packages and node: modules stay allowed). */
  onlyFrom?: string[];
  why: string;
}

const RULES: Rule[] = [
  { files: 'uapi/', forbid: ['calls/', 'slack/', 'store/', 'board/', 'console/'], why: 'the VoipNow adapter knows nothing of the app above it' },
  { files: 'calls/', forbid: ['@slack/', 'slack/', 'console/', 'board/'], why: 'the domain is free of Slack and of its front ends' },
  { files: 'board/', forbid: ['@slack/', 'slack/', 'console/'], why: 'the board domain is free of Slack' },
  { files: 'store/', forbid: ['calls/', 'slack/', 'console/', 'board/', 'uapi/'], why: 'the store lies beneath everything' },
  { files: 'console/', forbid: ['@slack/', 'slack/'], why: 'the console is a front end beside Slack, not on top of it' },
  { files: 'slack/', forbid: ['console/'], why: 'Slack is a front end beside the console' },
  { files: 'log.ts', forbid: ['uapi/', 'calls/', 'slack/', 'store/', 'console/', 'board/'], why: 'logging is used by every layer and reaches into none' },
  { files: 'sandbox/', forbid: [], onlyFrom: ['sandbox/'], why: 'the sandbox is a stand-in for VoipNow and imports nothing of the app' },
];

/**
 * Known violations still to be removed. Each entry must still be
 * a real violation: when the import goes away the test fails until the entry is
 * deleted, so this list can only shrink.
 */
const KNOWN: { file: string; imports: string; until: string }[] = [];

interface Violation {
  file: string;
  imports: string;
  why: string;
}

/** Where an import points: 'calls/card.ts' for a file of src/, the package name otherwise. */
function target(file: string, specifier: string): { local: boolean; path: string } {
  if (!specifier.startsWith('.')) return { local: false, path: specifier };
  const path = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
  return { local: true, path };
}

function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

function matches(pattern: string, path: string): boolean {
  return pattern.endsWith('/') ? path.startsWith(pattern) : path === pattern;
}

/** Every import of `files` (path relative to src/ -> source text) that breaks a rule. */
function violations(files: Map<string, string>, rules: Rule[] = RULES): Violation[] {
  const found: Violation[] = [];
  for (const [file, source] of files) {
    for (const specifier of importsOf(source)) {
      const to = target(file, specifier);
      if (to.local && to.path.startsWith('../')) {
        found.push({ file, imports: specifier, why: 'src/ imports nothing from outside src/' });
        continue;
      }
      for (const rule of rules) {
        if (!matches(rule.files, file)) continue;
        const forbidden = rule.forbid.some((f) => (to.local ? matches(f, to.path) : to.path.startsWith(f)));
        const outside = rule.onlyFrom !== undefined && to.local && !rule.onlyFrom.some((f) => matches(f, to.path));
        if (forbidden || outside) found.push({ file, imports: to.path, why: rule.why });
      }
    }
  }
  return found;
}

function sourceFiles(dir: URL, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const [k, v] of sourceFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`)) files.set(k, v);
    } else if (entry.name.endsWith('.ts')) {
      files.set(prefix + entry.name, readFileSync(new URL(entry.name, dir), 'utf8'));
    }
  }
  return files;
}

const describeList = (list: Violation[]) => list.map((v) => `src/${v.file} imports ${v.imports}: ${v.why}`).join('\n');

describe('layer boundaries', () => {
  const files = sourceFiles(SRC);

  it('reads every source file of src/', () => {
    expect(files.size).toBeGreaterThan(40);
    expect(files.has('log.ts')).toBe(true);
    expect(files.has('uapi/client.ts')).toBe(true);
    expect(files.has('sandbox/server.ts')).toBe(true);
  });

  it('no file of src/ breaks a layer rule', () => {
    const all = violations(files);
    const unexpected = all.filter((v) => !KNOWN.some((k) => k.file === v.file && k.imports === v.imports));
    expect(describeList(unexpected), 'layer rules broken').toBe('');
  });

  it('every known exception is still real (the list only shrinks)', () => {
    const all = violations(files);
    const stale = KNOWN.filter((k) => !all.some((v) => v.file === k.file && v.imports === k.imports));
    expect(stale.map((k) => `src/${k.file} no longer imports ${k.imports}: remove it from KNOWN`)).toEqual([]);
  });

  it('finds static, type-only, re-exported, dynamic and multi-line imports', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from '@slack/types';",
      "export { c } from '../calls/c.js';",
      "const d = await import('../slack/d.js');",
      'import {',
      '  e,',
      '  f,',
      "} from 'node:fs';",
      "import './side-effect.js';",
      "// import { g } from './commented.js';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['./a.js', '@slack/types', '../calls/c.js', '../slack/d.js', 'node:fs', './side-effect.js']);
  });

  it('fails with a clear list when a fake tree breaks the rules', () => {
    const fake = new Map<string, string>([
      ['uapi/client.ts', "import { x } from '../calls/execute.js';\nimport { s } from '../store/types.js';"],
      ['calls/execute.ts', "import type { KnownBlock } from '@slack/types';\nimport { publish } from '../slack/publish.js';"],
      ['board/watch.ts', "import { App } from '@slack/bolt';"],
      ['sandbox/server.ts', "import { createLogger } from '../log.js';\nimport { seed } from './seed.js';\nimport { z } from 'zod';"],
      ['log.ts', "export { redact } from './uapi/errors.js';"],
      ['slack/app.ts', "import { run } from '../calls/execute.js';\nimport { App } from '@slack/bolt';"],
      ['config.ts', "import { secret } from '../../elsewhere/secret.js';"],
    ]);
    expect(describeList(violations(fake)).split('\n')).toEqual([
      'src/uapi/client.ts imports calls/execute.ts: the VoipNow adapter knows nothing of the app above it',
      'src/uapi/client.ts imports store/types.ts: the VoipNow adapter knows nothing of the app above it',
      'src/calls/execute.ts imports @slack/types: the domain is free of Slack and of its front ends',
      'src/calls/execute.ts imports slack/publish.ts: the domain is free of Slack and of its front ends',
      'src/board/watch.ts imports @slack/bolt: the board domain is free of Slack',
      'src/sandbox/server.ts imports log.ts: the sandbox is a stand-in for VoipNow and imports nothing of the app',
      'src/log.ts imports uapi/errors.ts: logging is used by every layer and reaches into none',
      'src/config.ts imports ../../elsewhere/secret.js: src/ imports nothing from outside src/',
    ]);
  });
});

/**
 * Import circles, type-only imports included (a circle of types is still two
 * files that cannot be read apart). Each is reported as its files in a stable
 * order: the strongly connected components of the import graph with more
 * than one file, or a file importing itself.
 */
const key = (c: string[]) => c.join(' -> ');

function circles(files: Map<string, string>): string[][] {
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    const deps = importsOf(source)
      .map((s) => target(file, s))
      .filter((t) => t.local && files.has(t.path))
      .map((t) => t.path);
    graph.set(file, deps);
  }
  // Tarjan's algorithm, iterative enough for a source tree's depth.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => key(a).localeCompare(key(b)));
}

/** Circles still to be broken; like KNOWN, this list can only shrink. */
const KNOWN_CIRCLES: string[][] = [];

describe('import circles', () => {
  const files = sourceFiles(SRC);

  it('src/ has no import circle beyond the known ones', () => {
    const known = new Set(KNOWN_CIRCLES.map(key));
    const unexpected = circles(files).filter((c) => !known.has(key(c)));
    expect(unexpected.map((c) => `circle: ${key(c)}`)).toEqual([]);
  });

  it('every known circle is still real (the list only shrinks)', () => {
    const now = new Set(circles(files).map(key));
    expect(KNOWN_CIRCLES.filter((c) => !now.has(key(c))).map((c) => `no longer a circle, remove it: ${key(c)}`)).toEqual([]);
  });

  it('finds a circle of three files, a type-only one and a self-import, and not a chain', () => {
    const fake = new Map<string, string>([
      ['a.ts', "import { b } from './b.js';"],
      ['b.ts', "import { c } from './c.js';"],
      ['c.ts', "import type { A } from './a.js';"],
      ['d.ts', "import { a } from './a.js';"],
      ['e.ts', "import { e } from './e.js';"],
      ['x/f.ts', "import { g } from '../g.js';"],
      ['g.ts', "import type { F } from './x/f.js';"],
    ]);
    expect(circles(fake)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts'], ['g.ts', 'x/f.ts']]);
  });
});
