import { bigBirthsPhase } from './big-births.js';
import { coldStartPhase } from './cold-start.js';
import { ingestPhase } from './ingest-phase.js';
import type { Phase } from './phase.js';
import { refusedPhase } from './refused-phase.js';
import { scalePhase } from './scale.js';

/**
 * Every phase of `npm run bench`, in the order they run. Each sets up what it
 * needs and measures alone (phase.ts); the scale phase grows the cluster to
 * 50,000 pods, so phases after it meet a large cluster.
 */
export const PHASES: readonly Phase[] = [ingestPhase, bigBirthsPhase, refusedPhase, coldStartPhase, scalePhase];
