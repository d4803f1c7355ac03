import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../lib/api/group.js';
import { kernelWhisperName, podBirthCertificateName } from '../../lib/api/names.js';
import type { KubeObject } from '../../lib/k8s/objects.js';
import type { IngestContext } from './ingest-context.js';

/**
 * Evidence that the ceiling writes what the function writes: the spec and
 * status of one pod's objects in the ceiling's namespace against their twins
 * written by the function, as JSON bytes, with the observation times and
 * condition times (which differ by when each side ran) left out.
 */
export type TwinSizes = Readonly<
  Record<
    'kernelWhisper' | 'podBirthCertificate',
    { readonly ceilingBytes: number; readonly ingestBytes: number; readonly sameFields: boolean }
  >
>;

export async function compareTwins(context: IngestContext): Promise<TwinSizes> {
  const pod = context.pods[0] ?? 'pod-00000';
  const pair = async (type: typeof KERNEL_WHISPER | typeof POD_BIRTH_CERTIFICATE, name: string) => {
    const [ceiling, ingest] = await Promise.all(
      [context.ceilingNamespace, context.ingestNamespace].map((namespace) =>
        context.cluster.api.get<KubeObject>(type, { namespace, name }),
      ),
    );
    const [a, b] = [timeless(ceiling, context.ceilingNamespace), timeless(ingest, context.ingestNamespace)];
    return { ceilingBytes: a.length, ingestBytes: b.length, sameFields: shape(a) === shape(b) };
  };
  return {
    kernelWhisper: await pair(KERNEL_WHISPER, kernelWhisperName(pod, 'app')),
    podBirthCertificate: await pair(POD_BIRTH_CERTIFICATE, podBirthCertificateName(pod)),
  };
}

function timeless(object: KubeObject | undefined, namespace: string): string {
  const { spec, status } = (object ?? {}) as { spec?: unknown; status?: unknown };
  return JSON.stringify({ spec, status }, (key, value: unknown) =>
    /(_at|Time|timestamp)$/i.test(key) ? undefined : value,
  ).replaceAll(namespace, 'NS');
}

/** The field paths of a JSON text, so "the same fields" does not depend on the values. */
function shape(json: string): string {
  const paths: string[] = [];
  const walk = (value: unknown, at: string): void => {
    if (typeof value !== 'object' || value === null) return void paths.push(at);
    for (const [key, inner] of Object.entries(value)) walk(inner, Array.isArray(value) ? `${at}[]` : `${at}.${key}`);
  };
  walk(JSON.parse(json), '');
  return [...new Set(paths)].sort().join(',');
}
