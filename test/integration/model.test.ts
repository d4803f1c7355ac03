import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectCluster, modelNamespace, waitForStorage } from '../model/cluster.js';
import { runModel } from '../model/run.js';
import type { Cluster } from '../model/system.js';

/**
 * The reference model (test/model) against the real API server: generated
 * sequences of pod changes, deliveries, sweeps and clock jumps. A failure prints
 * the seed, the shrunk sequence and the command that replays it
 * (docs/reliability.md). MODEL_SEED / MODEL_RUNS override the defaults.
 */
const RUNS = Number(process.env.MODEL_RUNS ?? 300);
const SEED = process.env.MODEL_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.MODEL_SEED);

let cluster: Cluster & { close(): void };

beforeAll(async () => {
  cluster = await connectCluster(inject('kubeconfig'), inject('controlPlaneControl'));
  await waitForStorage(cluster);
});
afterAll(() => cluster.close());

describe('the reference model', () => {
  it(`agrees with the functions on ${RUNS} generated sequences against the real API server`, async () => {
    process.stderr.write(`model: seed ${SEED}, ${RUNS} sequences\n`);
    const result = await runModel({ cluster, namespace: () => modelNamespace(cluster), numRuns: RUNS, seed: SEED });
    expect(result.failed, result.message).toBe(false);
  }, 1_800_000);
});
