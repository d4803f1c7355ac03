import { Hono } from 'hono';
import * as v from 'valibot';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, type ResourceType } from '../api/group.js';
import { isDnsLabel, isDnsSubdomain } from '../api/names.js';
import { PodBirthCertificateSpecSchema } from '../api/pod-birth-certificate.js';
import { asError } from '../errors.js';
import { describeIssues } from '../events/fields.js';
import { viewerStatusFor } from '../http/status.js';
import type { KubeApi } from '../k8s/api.js';
import { birthPage } from './birth-page.js';
import { html } from './html.js';
import { CONTENT_SECURITY_POLICY, page } from './layout.js';
import { type Listing, overviewPage } from './overview-page.js';

/**
 * The viewer's routes. It reads through our one door with whatever credentials
 * it was given (the person's kubeconfig), only GETs, and renders on the
 * server. Like `kubectl proxy`, it answers only requests addressed to the
 * loopback host names, so a web page elsewhere cannot reach it through DNS
 * rebinding and read the cluster with the person's rights.
 */
export type ViewerOptions = {
  /** Items read per list: one page, so a huge cluster never arrives in one response. */
  readonly listLimit?: number;
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const LIST_LIMIT = 500;

export function createViewerApp(api: KubeApi, options: ViewerOptions = {}): Hono {
  const app = new Hono();
  const limit = options.listLimit ?? LIST_LIMIT;
  app.use(async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (!LOOPBACK_HOSTS.has(host)) return c.text('The viewer answers only on 127.0.0.1 and localhost.', 403);
    await next();
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('cache-control', 'no-store');
  });

  app.get('/', async (c) => {
    const namespace = c.req.query('namespace')?.trim() || undefined;
    if (namespace !== undefined && !isDnsLabel(namespace))
      return c.html(message('Not a namespace', `"${namespace}" is not a valid namespace name.`), 400);
    const read = (type: ResourceType) => listed(api, type, namespace, limit);
    const [births, whispers] = await Promise.all([read(POD_BIRTH_CERTIFICATE), read(KERNEL_WHISPER)]);
    return c.html(overviewPage({ namespace, births, whispers }).markup);
  });

  app.get('/birth/:namespace/:name', async (c) => {
    const { namespace, name } = c.req.param();
    if (!isDnsLabel(namespace) || !isDnsSubdomain(name))
      return c.html(message('Not a certificate name', `${namespace}/${name} cannot name a PodBirthCertificate.`), 400);
    let object: Awaited<ReturnType<KubeApi['get']>>;
    try {
      object = await api.get(POD_BIRTH_CERTIFICATE, { namespace, name });
    } catch (error) {
      const failure = asError(error);
      return c.html(message('Could not read the certificate', failure.message), statusOf(failure));
    }
    if (object === undefined) return c.html(message('Not found', `No PodBirthCertificate ${namespace}/${name}.`), 404);
    const spec = v.safeParse(PodBirthCertificateSpecSchema, object.spec);
    if (!spec.success) {
      const issues = describeIssues(spec.issues).join('; ');
      return c.html(message('Unreadable certificate', `Its spec does not match the schema: ${issues}`), 422);
    }
    return c.html(birthPage(object, spec.output).markup);
  });

  app.notFound((c) => c.html(message('Not found', 'The viewer has / and /birth/<namespace>/<name>.'), 404));
  return app;
}

async function listed(
  api: KubeApi,
  type: ResourceType,
  namespace: string | undefined,
  limit: number,
): Promise<Listing> {
  try {
    const page_ = await api.list(type, { ...(namespace === undefined ? {} : { namespace }), limit });
    return { items: page_.items, more: page_.continue !== undefined };
  } catch (error) {
    const failure = asError(error);
    const hint =
      viewerStatusFor(failure) === 403 && namespace === undefined
        ? ' Your credentials may be limited to some namespaces: choose one above.'
        : '';
    return { error: `Could not list ${type.plural}: ${failure.message}.${hint}` };
  }
}

function statusOf(error: Error): 403 | 404 | 429 | 500 | 502 {
  return viewerStatusFor(error) as 403 | 404 | 429 | 500 | 502;
}

function message(title: string, text: string): string {
  return page(
    title,
    html`<p><a href="/">← All births and throttled containers</a></p><h1>${title}</h1><p class="problem">${text}</p>`,
  ).markup;
}
