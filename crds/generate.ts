import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CRD_SOURCES } from './definitions.js';
import { renderCrd } from './render.js';

/** `npm run crds`: rewrites crds/*.yaml from the valibot schemas. */
const folder = fileURLToPath(new URL('.', import.meta.url));
for (const source of CRD_SOURCES) {
  writeFileSync(`${folder}${source.file}`, renderCrd(source));
  console.log(`wrote crds/${source.file}`);
}
