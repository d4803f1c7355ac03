import fc from 'fast-check';
import { throttleGen } from './arbitraries.js';
import { Advance, type ModelCommand } from './cluster-commands.js';
import { Deliver, describeEvent } from './delivery-commands.js';
import type { ThrottleGen } from './requests.js';
import type { System } from './system.js';
import type { World } from './world.js';

/**
 * Issue 16: a container observed again and again, one observer window apart,
 * through either instance, so that sequences reach a trend, a sustained
 * pattern or a spike, and (after a resize) a fix verification. Each step is
 * an ordinary delivery, checked against the model like any other.
 */
type StoryStep = { readonly gen: ThrottleGen; readonly instance: number; readonly advanceMs: number };

export class Story implements ModelCommand {
  constructor(readonly steps: readonly StoryStep[]) {}
  check = () => true;
  async run(world: World, system: System): Promise<void> {
    for (const step of this.steps) {
      await new Advance(step.advanceMs).run(world, system);
      await new Deliver(step.gen, step.instance).run(world, system);
    }
  }
  toString = () =>
    `story(${this.steps.map((step) => `+${step.advanceMs / 1000}s #${step.instance}: ${describeEvent(step.gen)}`).join('; ')})`;
}

const stepGen = (pod: number): fc.Arbitrary<StoryStep> =>
  fc.record({
    gen: throttleGen.map((gen) => ({
      ...gen,
      pod,
      container: 'app',
      valid: true,
      uid: gen.uid === 'none' ? ('none' as const) : ('live' as const),
      time: { ...gen.time, deltaMs: 0 },
    })),
    instance: fc.constantFrom(0, 1),
    advanceMs: fc.constantFrom(60_000, 300_000),
  });

export const storyGen: fc.Arbitrary<ModelCommand> = fc
  .constantFrom(0, 1)
  .chain((pod) => fc.array(stepGen(pod), { minLength: 4, maxLength: 8 }))
  .map((steps) => new Story(steps));
