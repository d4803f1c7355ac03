import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readControlFile } from '../controlplane/control-file.js';
import {
  allManifestFiles,
  documentsOf,
  type KubeObject,
  KubeObjectSchema,
  knativeDir,
  parseAs,
  repoRoot,
  yamlFilesIn,
} from '../unit/packaging/manifests.js';
import { crdsFor } from '../upstream/crds.js';
import { kubectlRun, type Run, run } from './support/cluster.js';

/**
 * Every manifest in knative/ through the real kube-apiserver, with the CRDs of the kinds
 * they use installed from the pinned Knative modules (test/upstream/modules.ts): a
 * server-side dry run with strict field validation, file by file and as
 * `kubectl apply -f knative/` runs it. Then the one sweep deploy command from
 * docs/deploy.md, run verbatim against a stand-in for what `kn func deploy` leaves behind.
 */

const FIELD_MANAGER = 'kernel-gossip-tests';

const kubectl = kubectlRun;

async function kubectlOk(args: readonly string[], input = ''): Promise<string> {
  const result = await kubectl(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

const objectsIn = (file: string): KubeObject[] => documentsOf(file).map((doc) => parseAs(KubeObjectSchema, doc, file));

/** What `kubectl -o name` prints for an object: `<kind>[.<group>]/<name>`, lower case kind. */
function kubectlName(object: KubeObject): string {
  const group = object.apiVersion.includes('/') ? `.${object.apiVersion.split('/')[0] ?? ''}` : '';
  return `${object.kind.toLowerCase()}${group}/${object.metadata.name}`;
}

/** Server warnings (unknown or deprecated fields, …), minus kubectl's own note about objects another test created. */
const warnings = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => line.trim() !== '' && !line.includes('last-applied-configuration'));

beforeAll(async () => {
  const crds = crdsFor(inject('knativeModules'), allManifestFiles().flatMap(objectsIn));
  const installed = new Set((await kubectlOk(['get', 'crd', '-o', 'name'])).split('\n'));
  // A cluster that already has Knative (KERNEL_GOSSIP_KUBECONFIG) keeps its own CRDs.
  const missing = crds.filter((crd) => !installed.has(`customresourcedefinition.apiextensions.k8s.io/${crd.name}`));
  if (missing.length > 0) {
    await kubectlOk([
      'apply',
      '--server-side',
      `--field-manager=${FIELD_MANAGER}`,
      ...missing.flatMap((crd) => ['-f', crd.file]),
    ]);
  }
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((crd) => `crd/${crd.name}`)]);
  // Namespaced objects cannot be dry-run into a namespace that does not exist.
  await kubectlOk(['apply', '-f', path.join(knativeDir, '00-namespace.yaml')]);
});

describe('knative/ under a server-side dry run', () => {
  it.each(allManifestFiles().map((file) => path.relative(repoRoot, file)))('accepts %s', async (file) => {
    const expected = objectsIn(path.join(repoRoot, file)).map(kubectlName);
    for (const mode of [[], ['--server-side', `--field-manager=${FIELD_MANAGER}`]]) {
      const result = await kubectl([
        'apply',
        ...mode,
        '--dry-run=server',
        '--validate=strict',
        '-o',
        'name',
        '-f',
        file,
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(warnings(result.stderr), mode.join(' ')).toEqual([]);
      expect(result.stdout.trim().split('\n'), mode.join(' ')).toEqual(expected);
    }
  });

  it('accepts `kubectl apply -f knative/` as the deploy section runs it, without the sweep', async () => {
    const result = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-o', 'name', '-f', 'knative/']);
    expect(warnings(result.stderr)).toEqual([]);
    const expected = yamlFilesIn(knativeDir).flatMap(objectsIn).map(kubectlName);
    expect(result.stdout.trim().split('\n')).toEqual(expected);
    expect(expected).not.toContain('service.serving.knative.dev/kernel-gossip-sweep');
  });
});

describe('the sweep deploy command in docs/deploy.md', () => {
  const external = (): boolean => readControlFile(inject('controlPlaneControl')).external;
  const deployMd = readFileSync(path.join(knativeDir, '..', 'docs', 'deploy.md'), 'utf8');
  const command = /<!-- sweep-deploy-command[^>]*-->\s*```sh\n([^\n]*)\n```/.exec(deployMd)?.[1] ?? '';
  const image = (digit: string): string => `registry.example/kernel-gossip-ingest@sha256:${digit.repeat(64)}`;
  const standInIngest = (ref: string): string =>
    JSON.stringify({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'kernel-gossip-ingest', namespace: 'kernel-gossip' },
      spec: { template: { spec: { containers: [{ image: ref }] } } },
    });
  const runCommand = (): Promise<Run> =>
    run('bash', ['-c', command], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KUBECONFIG: inject('kubeconfig'),
        PATH: `${path.dirname(inject('kubectl'))}${path.delimiter}${process.env.PATH ?? ''}`,
      },
    });
  const sweepImage = (): Promise<string> =>
    kubectlOk([
      '-n',
      'kernel-gossip',
      'get',
      'ksvc',
      'kernel-gossip-sweep',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);

  afterAll(async () => {
    if (external()) return;
    await kubectl([
      '-n',
      'kernel-gossip',
      'delete',
      'ksvc',
      'kernel-gossip-sweep',
      'kernel-gossip-ingest',
      '--ignore-not-found',
    ]);
  });

  it('is one command line', () => {
    expect(command).toMatch(/^IMAGE=.+\| kubectl apply -f -$/);
  });

  // Against a real cluster it would deploy a Service there, so only on the run's own control plane.
  it.skipIf(external())('deploys the image kn func deploy left on the ingest Service, and follows it', async () => {
    await kubectlOk(['apply', '-f', '-'], standInIngest(image('a')));
    expect(await runCommand()).toMatchObject({ code: 0 });
    expect(await sweepImage()).toBe(image('a'));

    await kubectlOk(['apply', '-f', '-'], standInIngest(image('b')));
    expect(await runCommand()).toMatchObject({ code: 0 });
    expect(await sweepImage()).toBe(image('b'));
    const env = await kubectlOk([
      '-n',
      'kernel-gossip',
      'get',
      'ksvc',
      'kernel-gossip-sweep',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].env[0]}',
    ]);
    expect(JSON.parse(env)).toEqual({ name: 'KERNEL_GOSSIP_FUNCTION', value: 'sweep' });
  });

  it.skipIf(external())('changes nothing when the ingest function is not deployed', async () => {
    await kubectlOk(['apply', '-f', '-'], standInIngest(image('c')));
    expect(await runCommand()).toMatchObject({ code: 0 });
    await kubectlOk(['-n', 'kernel-gossip', 'delete', 'ksvc', 'kernel-gossip-ingest']);

    expect((await runCommand()).code).not.toBe(0);
    expect(await sweepImage()).toBe(image('c'));
  });
});
