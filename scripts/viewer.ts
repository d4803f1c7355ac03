/**
 * `npm run viewer`: the local viewer of pod births and throttled containers,
 * read with your own kubeconfig (what `kubectl get` would show you), served on
 * http://127.0.0.1:8090 only. `npm run viewer -- --text <namespace>/<name>`
 * prints one birth waterfall to the terminal instead.
 *
 * Not a Knative function: it never runs in the cluster and is in no image. It
 * lives in lib/viewer (pages, pure rendering, routes) plus this start-up script.
 */
import * as v from 'valibot';
import { POD_BIRTH_CERTIFICATE } from '../lib/api/group.js';
import { PodBirthCertificateSpecSchema } from '../lib/api/pod-birth-certificate.js';
import { connectKubeApi } from '../lib/k8s/client.js';
import { parseViewerConfig, type ViewerConfig, ViewerUsageError } from '../lib/viewer/config.js';
import { startViewer } from '../lib/viewer/serve.js';
import { waterfallText } from '../lib/viewer/text.js';

async function main(): Promise<number> {
  let config: ViewerConfig;
  try {
    config = parseViewerConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ViewerUsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const api = await connectKubeApi(config.apiServer);
  if (config.text !== undefined) {
    const object = await api.get(POD_BIRTH_CERTIFICATE, config.text);
    api.close();
    const spec = v.safeParse(PodBirthCertificateSpecSchema, object?.spec);
    if (object === undefined || !spec.success) {
      process.stderr.write(`No readable PodBirthCertificate ${config.text.namespace}/${config.text.name}\n`);
      return 1;
    }
    process.stdout.write(waterfallText(spec.output));
    return 0;
  }
  const viewer = await startViewer(api, config.port);
  process.stdout.write(`Kernel Gossip viewer on ${viewer.url} (reading as your kubeconfig allows; Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await viewer.close();
  api.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
