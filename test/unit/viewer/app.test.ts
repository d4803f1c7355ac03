import { describe, expect, it } from 'vitest';
import { KERNEL_WHISPER, POD_BIRTH_CERTIFICATE } from '../../../lib/api/group.js';
import { KubeApiError } from '../../../lib/errors.js';
import type { KubeApi } from '../../../lib/k8s/api.js';
import { createViewerApp } from '../../../lib/viewer/app.js';
import { parseViewerConfig } from '../../../lib/viewer/config.js';
import { FakeKubeApi } from '../support/fake-kube-api.js';

const LOCAL = { host: '127.0.0.1:8090' };
const certificate = {
  apiVersion: 'kernel.gossip.io/v1alpha1',
  kind: 'PodBirthCertificate',
  metadata: { name: 'web-1', namespace: 'production', creationTimestamp: '2024-01-01T00:00:10Z' },
  spec: {
    pod_name: 'web-1',
    namespace: 'production',
    timeline: [{ timestamp_ms: 1000, actor: 'kernel', action: 'clone(CLONE_NEWNET)' }],
    kernel_stats: { total_syscalls: 1, namespaces_created: 1, cgroup_writes: 0, total_duration_ms: 1 },
  },
};

function seeded(): FakeKubeApi {
  const api = new FakeKubeApi();
  api.seed(POD_BIRTH_CERTIFICATE, certificate);
  return api;
}

/** Every read refused, as the API server answers a person without RBAC for our kinds. */
const forbidden: KubeApi = Object.assign(new FakeKubeApi(), {
  get: async () => {
    throw new KubeApiError('GET …: 403 podbirthcertificates is forbidden', 'forbidden', 403);
  },
  list: async () => {
    throw new KubeApiError('GET …: 403 podbirthcertificates is forbidden', 'forbidden', 403);
  },
});

describe('the viewer app', () => {
  it.each([['evil.example:8090'], ['127.0.0.1.evil.example'], ['']])(
    'refuses a request addressed to %j (DNS rebinding)',
    async (host) => {
      const response = await createViewerApp(seeded()).request('/', { headers: { host } });
      expect(response.status).toBe(403);
    },
  );

  it.each([['127.0.0.1:8090'], ['localhost:8090'], ['[::1]:8090']])(
    'answers on %s with a policy allowing no script',
    async (host) => {
      const response = await createViewerApp(seeded()).request('/', { headers: { host } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'/);
      expect(response.headers.get('content-security-policy')).not.toContain('script-src');
      expect(await response.text()).toContain('href="/birth/production/web-1"');
    },
  );

  it('reads only what it is asked for, and only with GETs', async () => {
    const api = seeded();
    await createViewerApp(api).request('/birth/production/web-1', { headers: LOCAL });
    await createViewerApp(api).request('/?namespace=production', { headers: LOCAL });
    expect(api.calls).toEqual([
      { verb: 'get', type: 'podbirthcertificates', name: 'web-1' },
      { verb: 'list', type: 'podbirthcertificates' },
      { verb: 'list', type: 'kernelwhispers' },
    ]);
    expect((await createViewerApp(api).request('/', { method: 'POST', headers: LOCAL })).status).toBe(404);
  });

  it.each([
    ['/birth/production/absent', 404, 'No PodBirthCertificate production/absent.'],
    ['/birth/Bad_NS/web-1', 400, 'cannot name a PodBirthCertificate'],
    ['/?namespace=not%20a%20namespace', 400, 'is not a valid namespace name'],
    ['/nowhere', 404, 'The viewer has / and /birth/&lt;namespace&gt;/&lt;name&gt;.'],
  ])('answers %s with %i', async (route, status, text) => {
    const response = await createViewerApp(seeded()).request(route, { headers: LOCAL });
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(text);
  });

  it('shows what RBAC refuses as the API server says it, and a 403 for a refused certificate', async () => {
    const overview = await createViewerApp(forbidden).request('/', { headers: LOCAL });
    expect(overview.status).toBe(200);
    const text = await overview.text();
    expect(text).toContain('Could not list podbirthcertificates: GET …: 403 podbirthcertificates is forbidden.');
    expect(text).toContain('Your credentials may be limited to some namespaces: choose one above.');
    expect(text).toContain(`Could not list ${KERNEL_WHISPER.plural}`);
    expect((await createViewerApp(forbidden).request('/birth/production/web-1', { headers: LOCAL })).status).toBe(403);
  });
});

describe('parseViewerConfig', () => {
  it('takes the port from --port, then VIEWER_PORT, then 8090, and the kubeconfig as kubectl finds it', () => {
    expect(parseViewerConfig([], { HOME: '/home/me' })).toEqual({
      port: 8090,
      text: undefined,
      apiServer: { kubeconfigPath: undefined, home: '/home/me' },
    });
    expect(parseViewerConfig(['--port', '0'], { VIEWER_PORT: '9000', KUBECONFIG: '/k' }).port).toBe(0);
    expect(parseViewerConfig([], { VIEWER_PORT: '9000' }).port).toBe(9000);
    expect(parseViewerConfig(['--text', 'production/web-1'], {}).text).toEqual({
      namespace: 'production',
      name: 'web-1',
    });
  });

  it.each([[['--port', '99999']], [['--text', 'web-1']], [['--address', '0.0.0.0']]])('refuses %j', (argv) => {
    expect(() => parseViewerConfig(argv, {})).toThrow(/port|--text|Unknown option/);
  });
});
