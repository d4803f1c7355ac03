import path from 'node:path';
import { createNamespace } from './cluster.js';
import type { Phase } from './phase.js';
import { measureRefused, refusedRows } from './refused.js';
import { table } from './report.js';

/** Issue 13's refused senders (refused.ts) as a phase of the bench, in a namespace of its own. */
const NAMESPACE = 'bench-refused';

export const refusedPhase: Phase = {
  name: 'refused',
  async run(bench) {
    await createNamespace(bench.cluster.api, NAMESPACE);
    const figures = await measureRefused(bench.cluster, NAMESPACE, path.join(bench.logDir, 'refused.log'));
    return {
      figures,
      targets: [
        {
          target: `API requests for ${figures.requests.toLocaleString('en')} refused senders (no token, other audience, not allowed)`,
          goal: '0',
          value: `${figures.apiRequests} counted by the API server, ${figures.functionApiRequests} by the function`,
          pass: figures.apiRequests === 0 && figures.functionApiRequests === 0,
        },
      ],
      report: ['## Refused senders (issue 13)', table(['figure', 'value'], refusedRows(figures))].join('\n'),
    };
  },
};
