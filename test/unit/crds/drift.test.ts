import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CRD_SOURCES } from '../../../crds/definitions.js';
import { renderCrd } from '../../../crds/render.js';

describe('committed CRDs', () => {
  it.each(CRD_SOURCES.map((source) => [source.file, source] as const))(
    'crds/%s matches the valibot schemas (run `npm run crds`)',
    (file, source) => {
      const committed = readFileSync(new URL(`../../../crds/${file}`, import.meta.url), 'utf8');
      expect(committed).toBe(renderCrd(source));
    },
  );
});
