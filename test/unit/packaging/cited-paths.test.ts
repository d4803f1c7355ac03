import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './manifests.js';

/**
 * Docs, manifests and comments send readers to files ("test/integration/… proves
 * it"); a renamed file leaves them pointing at nothing. Every repository path cited
 * in the prose and code we ship must exist.
 */
const CITING = ['README.md', 'docs', 'knative', 'functions', 'lib', 'scripts', 'crds', 'test'];
const CITED = /(?<![\w./-])(?:test|lib|functions|scripts|crds|knative|docs)\/[\w./-]+\.(?:ts|mjs|yaml|md|json|png)\b/g;

function filesUnder(relative: string): string[] {
  const absolute = path.join(repoRoot, relative);
  if (statSync(absolute).isFile()) return [relative];
  return readdirSync(absolute).flatMap((entry) =>
    entry === 'node_modules' || entry === 'results' ? [] : filesUnder(path.join(relative, entry)),
  );
}

describe('paths cited in docs, manifests and comments', () => {
  const citations = CITING.flatMap(filesUnder)
    .filter((file) => /\.(ts|mjs|md|yaml)$/.test(file))
    .flatMap((file) => [...readFileSync(path.join(repoRoot, file), 'utf8').matchAll(CITED)].map((m) => [file, m[0]]));

  it('finds citations to check', () => {
    expect(citations.length).toBeGreaterThan(20);
  });

  it('names files that exist', () => {
    const missing = citations.filter(([, cited]) => !existsSync(path.join(repoRoot, cited ?? '')));
    expect(missing).toEqual([]);
  });
});
