import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { describeIssues } from '../events/fields.js';
import type { CredentialSource } from '../k8s/credentials.js';

/**
 * The viewer's settings, parsed once at start-up: the port (`--port`, else
 * VIEWER_PORT, else 8090), the kubeconfig as kubectl finds it ($KUBECONFIG,
 * then ~/.kube/config), and `--text <namespace>/<name>` to print one waterfall
 * and exit. There is no address setting: it listens on 127.0.0.1 only.
 */
export type ViewerConfig = {
  readonly port: number;
  readonly text: { readonly namespace: string; readonly name: string } | undefined;
  readonly apiServer: CredentialSource;
};

export class ViewerUsageError extends Error {
  override readonly name = 'ViewerUsageError';
}

const PortSchema = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a port number'),
  v.transform(Number),
  v.maxValue(65535, 'must be a port number'),
);

export const DEFAULT_VIEWER_PORT = 8090;

export function parseViewerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ViewerConfig {
  let values: { port?: string | undefined; text?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, text: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new ViewerUsageError(
      `${(error as Error).message}. Usage: npm run viewer -- [--port N] [--text <namespace>/<name>]`,
    );
  }
  const port = v.safeParse(PortSchema, values.port ?? env.VIEWER_PORT ?? String(DEFAULT_VIEWER_PORT));
  if (!port.success) throw new ViewerUsageError(`--port / VIEWER_PORT: ${describeIssues(port.issues).join('; ')}`);
  return {
    port: port.output,
    text: values.text === undefined ? undefined : certificateRef(values.text),
    apiServer: { kubeconfigPath: nonEmpty(env.KUBECONFIG), home: nonEmpty(env.HOME) },
  };
}

function certificateRef(text: string): { namespace: string; name: string } {
  const [namespace, name, ...rest] = text.split('/');
  if (namespace === undefined || name === undefined || namespace === '' || name === '' || rest.length > 0)
    throw new ViewerUsageError(`--text takes <namespace>/<name>, not "${text}"`);
  return { namespace, name };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}
