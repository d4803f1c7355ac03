import path from 'node:path';
import * as v from 'valibot';
import { parse } from 'yaml';

/**
 * The plain part of a kubeconfig: a server with its CA, and a token or a client
 * certificate, inline or in files. That is what kubeadm, kind, our embedded
 * control plane and most CI clusters write, and it needs no more than Node's
 * https. Anything else (exec and auth-provider plugins, basic auth,
 * impersonation, proxies, several files merged) is left to client-node: see
 * credentials.ts for why the two are split.
 */
export type PlainContext = {
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
};

export type KubeconfigReading =
  | { readonly plain: PlainContext }
  | { readonly plain?: undefined; readonly needsClientNode: string };

const ClusterSchema = v.looseObject({
  server: v.pipe(v.string(), v.nonEmpty()),
  'certificate-authority': v.optional(v.string()),
  'certificate-authority-data': v.optional(v.string()),
  'insecure-skip-tls-verify': v.optional(v.boolean()),
  'tls-server-name': v.optional(v.string()),
});
const UserSchema = v.looseObject({
  token: v.optional(v.string()),
  tokenFile: v.optional(v.string()),
  'client-certificate': v.optional(v.string()),
  'client-certificate-data': v.optional(v.string()),
  'client-key': v.optional(v.string()),
  'client-key-data': v.optional(v.string()),
});
const KubeconfigSchema = v.looseObject({
  'current-context': v.pipe(v.string(), v.nonEmpty()),
  contexts: v.array(
    v.looseObject({ name: v.string(), context: v.looseObject({ cluster: v.string(), user: v.optional(v.string()) }) }),
  ),
  clusters: v.array(v.looseObject({ name: v.string(), cluster: ClusterSchema })),
  users: v.optional(v.array(v.looseObject({ name: v.string(), user: v.nullish(UserSchema) })), []),
});

/** Keys whose meaning the plain reader does not implement; `extensions` and `disable-compression` change nothing here. */
const PLAIN_CLUSTER_KEYS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'extensions',
  'disable-compression',
]);
const PLAIN_USER_KEYS = new Set([
  'token',
  'tokenFile',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'extensions',
]);

/** Reads a kubeconfig's current context; file paths in it are relative to the kubeconfig's directory, as kubectl reads them. */
export function readKubeconfig(text: string, file: string): KubeconfigReading {
  let document: unknown;
  try {
    document = parse(text);
  } catch {
    return { needsClientNode: 'not YAML this reader understands' };
  }
  const parsed = v.safeParse(KubeconfigSchema, document);
  if (!parsed.success) return { needsClientNode: 'not the plain kubeconfig shape' };
  const config = parsed.output;
  const context = config.contexts.find((entry) => entry.name === config['current-context'])?.context;
  const cluster = config.clusters.find((entry) => entry.name === context?.cluster)?.cluster;
  if (context === undefined || cluster === undefined)
    return { needsClientNode: 'the current context or its cluster is missing' };
  const user = config.users.find((entry) => entry.name === context.user)?.user ?? {};
  const unknown = [
    ...Object.keys(cluster).filter((key) => !PLAIN_CLUSTER_KEYS.has(key)),
    ...Object.keys(user).filter((key) => !PLAIN_USER_KEYS.has(key)),
  ];
  if (unknown.length > 0) return { needsClientNode: `uses ${unknown.join(', ')}` };
  const near = (file_: string | undefined) =>
    file_ === undefined ? undefined : path.resolve(path.dirname(file), file_);
  return {
    plain: dropUndefined({
      server: cluster.server,
      caData: cluster['certificate-authority-data'],
      caFile: near(cluster['certificate-authority']),
      insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] ?? false,
      tlsServerName: cluster['tls-server-name'],
      token: user.token,
      tokenFile: near(user.tokenFile),
      certData: user['client-certificate-data'],
      certFile: near(user['client-certificate']),
      keyData: user['client-key-data'],
      keyFile: near(user['client-key']),
    }),
  };
}

function dropUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
