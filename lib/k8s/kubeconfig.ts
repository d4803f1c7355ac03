import path from 'node:path';
import * as v from 'valibot';
import { parse } from 'yaml';

/**
 * Reads kubeconfig files as kubectl does (several files in KUBECONFIG merge: the first file
 * to name a cluster, user or context wins, and the first current-context set wins; paths are
 * relative to the file that holds them) down to the current context. A server with its CA and
 * proxy, a token or client certificate, and impersonation need nothing more than Node's
 * https; plugins (exec, auth-provider) are left to client-node. Every other field is
 * refused at start-up with its name, so a kubeconfig never loses a setting silently (which is
 * what client-node did with proxy-url, basic auth, tokenFile and the impersonation extras).
 */
export type PlainContext = {
  readonly server: string;
  readonly caData?: string;
  readonly caFile?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  /** An http:// forward proxy for every request (lib/k8s/proxy.ts tunnels through it). */
  readonly proxyUrl?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly certData?: string;
  readonly certFile?: string;
  readonly keyData?: string;
  readonly keyFile?: string;
  /** `as`: act as this user (Impersonate-User). */
  readonly impersonate?: string;
};

/** What client-node does for us: the plugin entry, as the kubeconfig has it. */
export type PluginUser = { readonly exec?: unknown; readonly authProvider?: unknown };

export type KubeconfigReading = { readonly context: PlainContext; readonly plugin?: PluginUser };

/** A kubeconfig that cannot be honoured as written; the message names the field. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

const FieldsSchema = v.nullish(v.record(v.string(), v.unknown()));
const FileSchema = v.looseObject({
  'current-context': v.optional(v.string()),
  clusters: v.optional(v.array(v.looseObject({ name: v.string(), cluster: FieldsSchema })), []),
  users: v.optional(v.array(v.looseObject({ name: v.string(), user: FieldsSchema })), []),
  contexts: v.optional(
    v.array(
      v.looseObject({
        name: v.string(),
        context: v.nullish(v.looseObject({ cluster: v.string(), user: v.optional(v.string()) })),
      }),
    ),
    [],
  ),
});

const CLUSTER_KEYS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'insecure-skip-tls-verify',
  'tls-server-name',
  'proxy-url',
  'extensions',
  'disable-compression',
]);
const CREDENTIAL_KEYS = [
  'token',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'as',
];
const PLAIN_USER_KEYS = new Set([...CREDENTIAL_KEYS, 'tokenFile', 'extensions']);
const PLUGIN_KEYS = ['exec', 'auth-provider'];
const PLUGIN_USER_KEYS = new Set([...CREDENTIAL_KEYS, ...PLUGIN_KEYS, 'extensions']);

const WHY_NOT: Record<string, string> = {
  username: 'basic authentication, which kube-apiserver no longer accepts (removed in Kubernetes 1.19)',
  password: 'basic authentication, which kube-apiserver no longer accepts (removed in Kubernetes 1.19)',
  'as-groups': 'impersonating groups is not supported (only `as`)',
  'as-uid': 'impersonating a uid is not supported (only `as`)',
  'as-user-extra': 'impersonating extra fields is not supported (only `as`)',
  tokenFile: 'a token file together with exec or auth-provider is not supported',
};

type Entry = { readonly file: string; readonly value: Record<string, unknown> };

export function readKubeconfigs(files: readonly { file: string; text: string }[]): KubeconfigReading {
  let current: string | undefined;
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  const contexts = new Map<string, { cluster: string; user?: string | undefined }>();
  for (const { file, text } of files) {
    const config = parseFile(file, text);
    if (current === undefined && config['current-context']) current = config['current-context'];
    for (const { name, cluster } of config.clusters)
      if (!clusters.has(name)) clusters.set(name, { file, value: cluster ?? {} });
    for (const { name, user } of config.users) if (!users.has(name)) users.set(name, { file, value: user ?? {} });
    for (const { name, context } of config.contexts) if (!contexts.has(name) && context) contexts.set(name, context);
  }
  const where = files.map((entry) => entry.file).join(path.delimiter);
  if (current === undefined) throw new KubeconfigError(`${where} sets no current-context`);
  const context = contexts.get(current);
  if (context === undefined) throw new KubeconfigError(`${where}: the current context ${current} is not defined`);
  const cluster = clusters.get(context.cluster);
  if (cluster === undefined) throw new KubeconfigError(`${where}: cluster ${context.cluster} is not defined`);
  const user = (context.user === undefined ? undefined : users.get(context.user)) ?? { file: where, value: {} };
  return read(cluster, `clusters[${context.cluster}].cluster`, user, `users[${context.user ?? ''}].user`);
}

function parseFile(file: string, text: string): v.InferOutput<typeof FileSchema> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (cause) {
    throw new KubeconfigError(`${file} is not YAML`, { cause });
  }
  const parsed = v.safeParse(FileSchema, document ?? {});
  if (!parsed.success) throw new KubeconfigError(`${file} is not a kubeconfig: ${v.summarize(parsed.issues)}`);
  return parsed.output;
}

function read(cluster: Entry, clusterField: string, user: Entry, userField: string): KubeconfigReading {
  const plugin = PLUGIN_KEYS.some((key) => key in user.value);
  refuseUnknown(cluster.value, CLUSTER_KEYS, clusterField);
  refuseUnknown(user.value, plugin ? PLUGIN_USER_KEYS : PLAIN_USER_KEYS, userField);
  const c = fieldsOf(cluster, clusterField);
  const u = fieldsOf(user, userField);
  const context = dropUndefined<PlainContext>({
    server: c.text('server') ?? '',
    caData: c.text('certificate-authority-data'),
    caFile: c.path('certificate-authority'),
    insecureSkipTlsVerify: c.flag('insecure-skip-tls-verify'),
    tlsServerName: c.text('tls-server-name'),
    proxyUrl: c.text('proxy-url'),
    token: u.text('token'),
    tokenFile: u.path('tokenFile'),
    certData: u.text('client-certificate-data'),
    certFile: u.path('client-certificate'),
    keyData: u.text('client-key-data'),
    keyFile: u.path('client-key'),
    impersonate: u.text('as'),
  });
  if (context.server === '') throw new KubeconfigError(`${clusterField}.server is missing`);
  if (context.proxyUrl !== undefined) checkProxy(context.proxyUrl, context.server, `${clusterField}.proxy-url`);
  return plugin
    ? { context, plugin: { exec: user.value.exec, authProvider: user.value['auth-provider'] } }
    : { context };
}

/** client-go also speaks SOCKS5 and https:// proxies; this function tunnels through http:// ones only, and only to an https:// server. */
function checkProxy(proxyUrl: string, server: string, field: string): void {
  let scheme: string;
  try {
    scheme = new URL(proxyUrl).protocol;
  } catch {
    throw new KubeconfigError(`${field}: ${proxyUrl} is not a URL`);
  }
  if (scheme !== 'http:') {
    throw new KubeconfigError(`${field}: only http:// forward proxies are supported (CONNECT), not ${scheme}//`);
  }
  if (!server.startsWith('https:')) {
    throw new KubeconfigError(`${field}: a proxy is supported for an https:// server only, not ${server}`);
  }
}

function refuseUnknown(entry: Record<string, unknown>, allowed: ReadonlySet<string>, field: string): void {
  const refused = Object.keys(entry).filter((key) => !allowed.has(key));
  if (refused.length === 0) return;
  const reasons = refused.map((key) => `${field}.${key}: ${WHY_NOT[key] ?? 'not a setting this function reads'}`);
  throw new KubeconfigError(`Cannot use this kubeconfig as written: ${reasons.join('; ')}`);
}

/** Typed reads of one entry's fields; a value of the wrong type is refused with its field name. */
function fieldsOf({ file, value }: Entry, field: string) {
  const typed = <T>(key: string, schema: v.GenericSchema<unknown, T>): T | undefined => {
    if (value[key] === undefined || value[key] === null) return undefined;
    const parsed = v.safeParse(schema, value[key]);
    if (!parsed.success) throw new KubeconfigError(`${field}.${key} in ${file}: ${v.summarize(parsed.issues)}`);
    return parsed.output;
  };
  return {
    text: (key: string) => typed(key, v.string()),
    flag: (key: string) => typed(key, v.boolean()) ?? false,
    path: (key: string) => {
      const relative = typed(key, v.string());
      return relative === undefined ? undefined : path.resolve(path.dirname(file), relative);
    },
  };
}

function dropUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
