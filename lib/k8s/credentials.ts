import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type PlainContext, readKubeconfigs } from './kubeconfig.js';

/**
 * Where the function finds the API server and proves who it is.
 *
 * In a Knative pod that is the ServiceAccount token the kubelet mounts; on a
 * laptop or in CI a kubeconfig (kubeconfig.ts). Both are read here with Node alone.
 * client-node is loaded only for kubeconfigs that need its plugins (exec,
 * auth-provider): importing it costs about 27 MB of heap, a quarter of the
 * 100 MB an instance may use (issue 7), so the common cases do not pay for it.
 * The lookup order is client-node's loadFromDefault: $KUBECONFIG, then
 * ~/.kube/config, then the in-cluster ServiceAccount.
 */
export type Credentials = {
  readonly server: URL;
  readonly tls: TlsMaterial;
  /** The kubeconfig's proxy-url (http:// only): requests tunnel through it with CONNECT. */
  readonly proxy?: URL;
  /**
   * What the next request presents: tokens are rotated on disk, and exec credentials expire
   * (a plugin may then issue a new client certificate), so this is asked every time.
   */
  authenticate(): Promise<RequestAuth>;
  /** Which reader supplied them; start-up logs it. */
  readonly source: 'kubeconfig' | 'in-cluster' | 'client-node';
};

export type RequestAuth = {
  readonly headers: Record<string, string>;
  /** A client certificate that replaces the kubeconfig's for this request (an exec plugin's). */
  readonly clientCertificate?: { readonly cert: Buffer; readonly key: Buffer };
};

export type TlsMaterial = {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
};

/** What start-up knows about its surroundings (parsed once in lib/config.ts). */
export type CredentialSource = {
  readonly kubeconfigPath?: string | undefined;
  readonly home?: string | undefined;
  readonly serviceHost?: string | undefined;
  readonly servicePort?: string | undefined;
  /** Where the kubelet mounts the token and CA; a parameter so tests can point it elsewhere. */
  readonly serviceAccountDir?: string;
  readonly now?: () => number;
};

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** client-go and client-node re-read token files at this age; the kubelet rotates them well before expiry. */
export const TOKEN_FILE_MAX_AGE_MS = 60_000;

export async function loadCredentials(source: CredentialSource): Promise<Credentials> {
  const now = source.now ?? Date.now;
  const kubeconfig = kubeconfigFile(source);
  if (kubeconfig !== undefined) {
    const { context, plugin } = readKubeconfigs(kubeconfigTexts(kubeconfig));
    const base = plainCredentials(context, 'kubeconfig', now);
    if (plugin === undefined) return base;
    const { clientNodeCredentials } = await import('./client-node-credentials.js');
    return clientNodeCredentials(context, plugin, base);
  }
  const serviceAccountDir = source.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const tokenFile = path.join(serviceAccountDir, 'token');
  if (source.serviceHost !== undefined && source.servicePort !== undefined && existsSync(tokenFile)) {
    const context = {
      server: inClusterServer(source.serviceHost, source.servicePort),
      caFile: path.join(serviceAccountDir, 'ca.crt'),
      insecureSkipTlsVerify: false,
      tokenFile,
    };
    return plainCredentials(context, 'in-cluster', now);
  }
  throw new Error(
    'No kubeconfig ($KUBECONFIG or ~/.kube/config) and no in-cluster ServiceAccount token: cannot reach the API server',
  );
}

/** As kubectl reads $KUBECONFIG: a list of files, of which those that do not exist are skipped. */
function kubeconfigTexts(list: string): { file: string; text: string }[] {
  const named = list.split(path.delimiter).filter((file) => file !== '');
  const files = named.length === 1 ? named : named.filter((file) => existsSync(file));
  if (files.length === 0) throw new Error(`None of the kubeconfig files ${list} exists`);
  return files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

function kubeconfigFile(source: CredentialSource): string | undefined {
  if (source.kubeconfigPath !== undefined) return source.kubeconfigPath;
  if (source.home === undefined) return undefined;
  const file = path.join(source.home, '.kube', 'config');
  return existsSync(file) ? file : undefined;
}

/** As client-node builds it: the Service's address, brackets for IPv6, plain HTTP on the conventional insecure ports. */
function inClusterServer(host: string, port: string): string {
  const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
  return `${scheme}://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

function plainCredentials(context: PlainContext, source: Credentials['source'], now: () => number): Credentials {
  const material = (data: string | undefined, file: string | undefined) =>
    data !== undefined ? Buffer.from(data, 'base64') : file !== undefined ? readFileSync(file) : undefined;
  const tls: TlsMaterial = {
    ca: material(context.caData, context.caFile),
    cert: material(context.certData, context.certFile),
    key: material(context.keyData, context.keyFile),
    rejectUnauthorized: !context.insecureSkipTlsVerify,
    ...(context.tlsServerName === undefined ? {} : { servername: context.tlsServerName }),
  };
  const token = context.tokenFile === undefined ? constant(context.token) : tokenFileReader(context.tokenFile, now);
  const impersonate: Record<string, string> =
    context.impersonate === undefined ? {} : { 'impersonate-user': context.impersonate };
  return {
    server: new URL(context.server),
    tls,
    ...(context.proxyUrl === undefined ? {} : { proxy: new URL(context.proxyUrl) }),
    source,
    authenticate: async (): Promise<RequestAuth> => {
      const bearer = token();
      return { headers: bearer === undefined ? impersonate : { ...impersonate, authorization: `Bearer ${bearer}` } };
    },
  };
}

function constant(token: string | undefined): () => string | undefined {
  return () => token;
}

/** Reads the token file again once the copy in memory is older than TOKEN_FILE_MAX_AGE_MS. */
function tokenFileReader(file: string, now: () => number): () => string {
  let token = readFileSync(file, 'utf8').trim();
  let readAt = now();
  return () => {
    if (now() - readAt > TOKEN_FILE_MAX_AGE_MS) {
      token = readFileSync(file, 'utf8').trim();
      readAt = now();
    }
    return token;
  };
}
