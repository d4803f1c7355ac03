import fc from 'fast-check';
import { advanceGen, CONTAINERS, eventGen, instanceGen, LIMITS, type PodGen, podGen } from './arbitraries.js';
import { checkAll } from './check.js';
import {
  Advance,
  CreatePod,
  DeleteObject,
  DeletePod,
  type ModelCommand,
  RecreatePod,
  ResizePod,
  Sweep,
} from './cluster-commands.js';
import { count } from './coverage.js';
import { Deliver, DeliverBatch, DeliverTwice, Redeliver } from './delivery-commands.js';
import { StoreLegacy } from './earlier-operator.js';
import { POD_NAMES } from './requests.js';
import { storyGen } from './story-commands.js';
import { type Cluster, startSystem } from './system.js';
import { newWorld } from './world.js';

/**
 * Generated sequences of cluster actions and deliveries, run against the real
 * API server and compared with the model after every step and, in full
 * (objects, pod Events, ConfigMap, field owners), after every sequence.
 */
export type ModelRunOptions = {
  readonly cluster: Cluster;
  /** Creates a namespace of its own for one sequence. */
  readonly namespace: () => Promise<string>;
  readonly numRuns: number;
  readonly seed?: number;
  readonly path?: string;
  /** fast-check's replay path of the commands themselves (printed with a failure). */
  readonly replayPath?: string;
  readonly maxCommands?: number;
  /** Called every `every` sequences with the count so far (the soak prints progress). */
  readonly progress?: { every: number; report(done: number): void };
};

const pod = fc.constantFrom(0, 1);
const weighted = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => Array.from({ length: weight }, () => arbitrary);

export const COMMANDS: fc.Arbitrary<ModelCommand>[] = [
  ...weighted(
    3,
    fc.tuple(pod, podGen).map(([p, gen]) => new CreatePod(p, gen)),
  ),
  fc.tuple(pod).map(([p]) => new DeletePod(p)),
  ...weighted(
    2,
    fc.tuple(pod, podGen).map(([p, gen]) => new RecreatePod(p, gen)),
  ),
  fc.tuple(pod, fc.nat(2), fc.constantFrom(...LIMITS)).map(([p, c, limit]) => new ResizePod(p, c, limit)),
  ...weighted(2, storyGen),
  ...weighted(
    8,
    fc.tuple(eventGen, instanceGen).map(([gen, i]) => new Deliver(gen, i)),
  ),
  fc
    .tuple(eventGen, instanceGen, fc.constantFrom('first' as const, 'status' as const))
    .map(([gen, i, fault]) => new Deliver(gen, i, fault)),
  ...weighted(
    3,
    fc.tuple(fc.nat(20), instanceGen).map(([k, i]) => new Redeliver(k, i)),
  ),
  ...weighted(
    2,
    eventGen.map((gen) => new DeliverTwice(gen)),
  ),
  fc
    .tuple(eventGen, eventGen, fc.boolean(), fc.option(fc.constantFrom(0, 1), { nil: undefined }), instanceGen)
    .map(([a, b, invalid, fault, i]) => new DeliverBatch([a, { ...b, pod: 1 - a.pod }], invalid, fault, i)),
  ...weighted(2, fc.constant(new Sweep())),
  ...weighted(
    2,
    advanceGen.map((ms) => new Advance(ms)),
  ),
  ...weighted(
    2,
    fc
      .tuple(pod, fc.option(fc.constantFrom(...CONTAINERS), { nil: undefined }))
      .map(([p, c]) => new DeleteObject(p, c)),
  ),
  fc
    .tuple(pod, fc.constantFrom('KernelWhisper' as const, 'PodBirthCertificate' as const))
    .map(([p, kind]) => new StoreLegacy(p, kind)),
];

export type ModelRunResult = {
  readonly failed: boolean;
  readonly numRuns: number;
  readonly seed: number;
  readonly message?: string;
};

export async function runModel(options: ModelRunOptions): Promise<ModelRunResult> {
  let done = 0;
  const property = fc.asyncProperty(
    fc.array(podGen, { minLength: POD_NAMES.length, maxLength: POD_NAMES.length }),
    fc.commands(COMMANDS, {
      maxCommands: options.maxCommands ?? 20,
      size: 'max',
      ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
    }),
    async (initialPods, commands) => {
      const namespace = await options.namespace();
      // Whole seconds, so "the same second" and "the same millisecond" are exact.
      const start = Math.ceil(Date.now() / 1000) * 1000 + 20_000;
      const world = newWorld(namespace, start, options.cluster.storeInEtcd !== undefined);
      const system = startSystem(options.cluster, namespace, start);
      // Most sequences start with their pods in place, so that deliveries meet them.
      for (const [i, gen] of initialPods.entries()) await new CreatePod(i, gen).run(world, system);
      await fc.asyncModelRun(() => ({ model: world, real: system }), commands);
      for (const command of commands)
        if ((command as { hasRan?: boolean }).hasRan === true) count(`command ${String(command).split('(')[0]}`);
      await checkAll(world, system);
      done += 1;
      if (options.progress !== undefined && done % options.progress.every === 0) options.progress.report(done);
    },
  );
  const details = await fc.check(property, {
    numRuns: options.numRuns,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  if (!details.failed) return { failed: false, numRuns: details.numRuns, seed: details.seed };
  return { failed: true, numRuns: details.numRuns, seed: details.seed, message: failureReport(details) };
}

/** The seed, the shrunk sequence, the difference, and the one command that replays it. */
function failureReport(details: fc.RunDetails<[PodGen[], Iterable<ModelCommand>]>): string {
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const initial = details.counterexample?.[0] ?? [];
  const commands = details.counterexample?.[1];
  const ran = commands === undefined ? [] : [...commands].filter((c) => (c as { hasRan?: boolean }).hasRan !== false);
  const steps = [...initial.map((gen, i) => String(new CreatePod(i, gen))), ...ran.map(String)];
  const replayPath = /replayPath="([^"]*)"/.exec(String(commands ?? ''))?.[1];
  const replay = replayPath === undefined ? '' : ` --replay-path=${replayPath}`;
  const path = details.counterexamplePath ?? '';
  return [
    `Model-based sequence failed after ${details.numRuns} sequence(s) (shrunk ${details.numShrinks} times).`,
    `Replay: npm run model -- --seed=${details.seed} --path=${path}${replay}`,
    'Shrunk sequence:',
    ...steps.map((step, i) => `  ${i + 1}. ${step}`),
    'Difference:',
    error,
  ].join('\n');
}
