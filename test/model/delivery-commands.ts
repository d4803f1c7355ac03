import type { Hono } from 'hono';
import { checkAnswer, checkObjects, ModelMismatch } from './check.js';
import type { ModelCommand } from './cluster-commands.js';
import { type Answer, batchAnswer, deliver, type Fault } from './ingest.js';
import { whisperName } from './kernel-whisper.js';
import { certificateName } from './pod-birth.js';
import { type EventGen, materialise, podName } from './requests.js';
import { canonical } from './rules.js';
import type { System } from './system.js';
import { copyWorld, type Delivery, type SentRequest, type World } from './world.js';

/** Deliveries of generated observations to the two ingest instances, each answer checked against the model. */
function send(app: Hono | undefined, request: SentRequest): Promise<Response> {
  if (app === undefined) throw new ModelMismatch('no such ingest instance');
  return Promise.resolve(app.request(request.path, { method: 'POST', headers: request.headers, body: request.body }));
}

function eventId(system: System): string {
  system.nextEventId += 1;
  return `model-${system.nextEventId}`;
}

export function describeEvent(gen: EventGen): string {
  const { kind, time, uid, mode, valid } = gen;
  const what =
    gen.kind === 'throttle'
      ? `${gen.container} ${gen.percent}% used=${gen.actual} reported=${gen.reported ?? '-'}`
      : `container=${gen.container ?? '-'} syscalls=${gen.syscalls} timeline=${gen.timeline.join('+') || '-'}`;
  const when = `${time.deltaMs >= 0 ? '+' : ''}${time.deltaMs}ms/${time.spelling}/${time.where}`;
  return `${kind} ${podName(gen)} ${what} at now${when} uid=${uid} src=${gen.source} ${mode}${valid ? '' : ' INVALID'}`;
}

/** The object a generated observation lands on, for arming a fault. */
function objectOf(gen: EventGen): { kind: string; name: string } {
  const pod = podName(gen);
  return gen.kind === 'throttle'
    ? { kind: 'KernelWhisper', name: whisperName(pod, gen.container) }
    : { kind: 'PodBirthCertificate', name: certificateName(pod) };
}

export class Deliver implements ModelCommand {
  constructor(
    readonly gen: EventGen,
    readonly instance: number,
    readonly fault: Fault = undefined,
  ) {}
  check = () => true;
  async run(world: World, system: System): Promise<void> {
    const delivery = materialise(world, this.gen, eventId(system));
    if (this.fault !== undefined) system.faults.arm({ ...objectOf(this.gen), mode: this.fault });
    const expected = deliver(world, this.instance, delivery.facts, this.fault);
    world.delivered.push(delivery);
    const response = await send(system.ingest[this.instance], delivery.request);
    system.faults.disarm();
    await checkAnswer([expected], response, delivery.request, this.toString());
    await checkObjects(world, system);
  }
  toString = () =>
    `deliver(#${this.instance}: ${describeEvent(this.gen)}${this.fault === undefined ? '' : ` fault=${this.fault}`})`;
}

/** An exact redelivery of an earlier request: the same bytes. */
export class Redeliver implements ModelCommand {
  constructor(
    readonly index: number,
    readonly instance: number,
  ) {}
  check = (world: Readonly<World>) => world.delivered.length > 0;
  async run(world: World, system: System): Promise<void> {
    const delivery = world.delivered[this.index % world.delivered.length] as Delivery;
    const expected = deliver(world, this.instance, delivery.facts);
    const response = await send(system.ingest[this.instance], delivery.request);
    await checkAnswer([expected], response, delivery.request, this.toString());
    await checkObjects(world, system);
  }
  toString = () => `redeliver(#${this.instance}: delivery ${this.index})`;
}

/**
 * The same event through both instances at once. Generated only where the
 * model can tell the result: both orders must leave the same objects, Events
 * and instance memories (they do unless the two instances remember different
 * pods); each answer may be the one of either order.
 */
export class DeliverTwice implements ModelCommand {
  constructor(readonly gen: EventGen) {}
  private orders(world: Readonly<World>) {
    const delivery = materialise(world as World, this.gen, 'check');
    const ab = copyWorld(world as World);
    const a1 = deliver(ab, 0, delivery.facts);
    const b1 = deliver(ab, 1, delivery.facts);
    const ba = copyWorld(world as World);
    const b2 = deliver(ba, 1, delivery.facts);
    const a2 = deliver(ba, 0, delivery.facts);
    return { ab, a: [a1, a2], b: [b1, b2], same: fingerprint(ab) === fingerprint(ba) };
  }
  check = (world: Readonly<World>) => this.orders(world).same;
  async run(world: World, system: System): Promise<void> {
    const delivery = materialise(world, this.gen, eventId(system));
    const { ab, a, b } = this.orders(world);
    const [ra, rb] = await Promise.all([
      send(system.ingest[0], delivery.request),
      send(system.ingest[1], delivery.request),
    ]);
    adopt(world, ab);
    world.delivered.push(delivery);
    await checkAnswer(a, ra, delivery.request, `${this.toString()} on #0`);
    await checkAnswer(b, rb, delivery.request, `${this.toString()} on #1`);
    await checkObjects(world, system);
  }
  toString = () => `deliverTwiceAtOnce(${describeEvent(this.gen)})`;
}

/**
 * One batch request: two events about different pods (one may meet an API
 * server failure) and optionally an invalid one. Each event is taken on its
 * own; the answer is the batch's status.
 */
export class DeliverBatch implements ModelCommand {
  constructor(
    readonly gens: readonly [EventGen, EventGen],
    readonly withInvalid: boolean,
    readonly faultAt: number | undefined,
    readonly instance: number,
  ) {}
  check = () => this.gens[0].pod !== this.gens[1].pod;
  async run(world: World, system: System): Promise<void> {
    const gens: EventGen[] = this.gens.map((gen) => ({ ...gen, mode: 'structured' }));
    if (this.withInvalid) gens.push({ ...(gens[0] as EventGen), valid: false });
    const deliveries = gens.map((gen) => materialise(world, gen, eventId(system)));
    const faulty = this.faultAt === undefined ? undefined : gens[this.faultAt];
    if (faulty !== undefined) system.faults.arm({ ...objectOf(faulty), mode: 'first' });
    const answers: Answer[] = deliveries.map((delivery, i) =>
      deliver(world, this.instance, delivery.facts, i === this.faultAt ? 'first' : undefined),
    );
    world.delivered.push(...deliveries);
    const body = `[${deliveries.map((delivery) => delivery.request.body).join(',')}]`;
    const request = { path: '/', headers: { 'content-type': 'application/cloudevents-batch+json' }, body };
    const response = await send(system.ingest[this.instance], request);
    system.faults.disarm();
    const expected = batchAnswer(answers);
    if (response.status !== expected)
      throw new ModelMismatch(
        `${this.toString()}: answered ${response.status}, the model says ${expected} (events: ${answers.map((answer) => canonical(answer)).join(', ')})`,
      );
    await checkObjects(world, system);
  }
  toString = () =>
    `deliverBatch(#${this.instance}: [${this.gens.map(describeEvent).join(' | ')}]${this.withInvalid ? ' + an invalid one' : ''}${this.faultAt === undefined ? '' : ` fault on event ${this.faultAt}`})`;
}

function adopt(world: World, from: World): void {
  world.objects.clear();
  for (const [key, value] of from.objects) world.objects.set(key, value);
  world.podEvents.clear();
  for (const event of from.podEvents) world.podEvents.add(event);
  from.instances.forEach((memory, i) => {
    const target = world.instances[i];
    if (target === undefined) return;
    target.pods.clear();
    target.objects.clear();
    for (const [key, value] of memory.pods) target.pods.set(key, value);
    for (const [key, value] of memory.objects) target.objects.set(key, value);
  });
  world.nextRv = from.nextRv;
}

/** The world without resourceVersion numbering: which remembered copies are current is what matters. */
function fingerprint(world: World): string {
  const current = (key: string, rv: number) => world.objects.get(key)?.rv === rv;
  return canonical({
    objects: [...world.objects].map(([key, object]) => [key, { ...object, rv: undefined }]),
    events: [...world.podEvents].sort(),
    instances: world.instances.map((memory) => ({
      pods: [...memory.pods],
      objects: [...memory.objects].map(([key, kept]) => [
        key,
        { ...kept, value: { ...kept.value, rv: undefined }, current: current(key, kept.value.rv) },
      ]),
    })),
  });
}
