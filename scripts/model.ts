import { startControlPlane } from '../test/controlplane/harness.js';
import { installCrds } from '../test/integration/global-setup.js';
import { connectCluster, modelNamespace, waitForStorage } from '../test/model/cluster.js';
import { coverageReport } from '../test/model/coverage.js';
import { runModel } from '../test/model/run.js';

/**
 * `npm run model -- --seed=… --path=… [--replay-path=…]` replays one failure the
 * model suite printed; `npm run soak` (`--runs=N`, default 3000) runs many more
 * sequences than `npm test` does. Either starts its own control plane (or uses
 * KERNEL_GOSSIP_KUBECONFIG) and stops it afterwards.
 */
const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [key = '', ...value] = arg.replace(/^--/, '').split('=');
    return [key, value.join('=')] as const;
  }),
);
const number = (key: string) => (args.has(key) ? Number(args.get(key)) : undefined);
const replaying = args.has('path');
const runs = number('runs') ?? (replaying ? 1 : 3000);
const seed = number('seed') ?? Date.now() % 2 ** 31;

const controlPlane = await startControlPlane();
let failed = true;
try {
  await installCrds(controlPlane);
  const cluster = await connectCluster(controlPlane.kubeconfigPath, controlPlane.controlFile);
  await waitForStorage(cluster);
  const started = Date.now();
  process.stdout.write(`model: seed ${seed}, ${runs} sequence(s) against ${controlPlane.server}\n`);
  const result = await runModel({
    cluster,
    namespace: () => modelNamespace(cluster),
    numRuns: runs,
    seed,
    ...(replaying ? { path: args.get('path') } : {}),
    ...(args.has('replay-path') ? { replayPath: args.get('replay-path') } : {}),
    progress: {
      every: 100,
      report: (done) => process.stdout.write(`  ${done} sequences, ${((Date.now() - started) / 1000).toFixed(0)} s\n`),
    },
  });
  cluster.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    result.failed ? `${result.message}\n` : `model: ${result.numRuns} sequences agree (${seconds} s)\n`,
  );
  if (!replaying) process.stdout.write(`what the sequences exercised:\n${coverageReport()}\n`);
  failed = result.failed;
} finally {
  await controlPlane.stop();
}
process.exit(failed ? 1 : 0);
