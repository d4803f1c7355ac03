import path from 'node:path';
import type { ControlPlaneCerts } from './certs.js';
import type { ComponentSpec } from './control-file.js';

export interface Ports {
  readonly apiserver: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
}

/** The issuer and audience of ServiceAccount tokens, the in-cluster name of the apiserver. */
export const serviceAccountIssuer = 'https://kubernetes.default.svc';

export function etcdSpec(binDir: string, dataDir: string, ports: Ports): ComponentSpec {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return {
    command: path.join(binDir, 'etcd'),
    // Plain HTTP is fine on loopback (envtest does the same); the apiserver in front is
    // the secured surface under test. No fsync: the data dies with the run anyway.
    args: [
      '--name=default',
      `--data-dir=${path.join(dataDir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      '--unsafe-no-fsync=true',
    ],
    logFile: path.join(dataDir, 'etcd.log'),
    ready: { url: `${client}/health` },
    // With the apiserver's watches open, etcd's graceful stop waits out its request
    // timeout (7 s); SIGKILL loses nothing that fsync would have kept, as fsync is off.
    stopGraceMs: 1_000,
    pid: null,
  };
}

export function apiServerSpec(
  binDir: string,
  dataDir: string,
  ports: Ports,
  certs: ControlPlaneCerts,
  audit?: { readonly policyFile: string; readonly logFile: string },
): ComponentSpec {
  return {
    command: path.join(binDir, 'kube-apiserver'),
    args: [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ports.apiserver}`,
      // Otherwise it writes self-signed certs to /var/run/kubernetes.
      `--cert-dir=${path.join(dataDir, 'apiserver-certs')}`,
      `--tls-cert-file=${certs.servingCert}`,
      `--tls-private-key-file=${certs.servingKey}`,
      `--client-ca-file=${certs.caCert}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${serviceAccountIssuer}`,
      ...serviceAccountKeyArgs([certs.serviceAccountPublicKey], certs.serviceAccountPrivateKey),
      `--api-audiences=${serviceAccountIssuer}`,
      // Required, but nothing routes it: there are no nodes or kube-proxy.
      '--service-cluster-ip-range=10.0.0.0/24',
      // ServiceAccount admission waits for token/SA controllers of a kube-controller-manager
      // that does not run here.
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      // The default reconciler keeps the `kubernetes` Service endpoints, which nothing
      // here uses, and spends seconds of every shutdown removing them.
      '--endpoint-reconciler-type=none',
      ...(audit === undefined
        ? []
        : [
            `--audit-policy-file=${audit.policyFile}`,
            `--audit-log-path=${audit.logFile}`,
            '--audit-log-mode=blocking',
          ]),
    ],
    logFile: path.join(dataDir, 'kube-apiserver.log'),
    ready: {
      url: `https://127.0.0.1:${ports.apiserver}/readyz`,
      caFile: certs.caCert,
      certFile: certs.adminCert,
      keyFile: certs.adminKey,
    },
    stopGraceMs: 5_000,
    pid: null,
  };
}

const KEY_FLAGS = ['--service-account-key-file=', '--service-account-signing-key-file='];

/**
 * The keys ServiceAccount tokens are verified with (all published in the issuer's key
 * set) and the one new tokens are signed with.
 */
export function serviceAccountKeyArgs(verifyingKeyFiles: readonly string[], signingKeyFile: string): string[] {
  return [
    ...verifyingKeyFiles.map((file) => `--service-account-key-file=${file}`),
    `--service-account-signing-key-file=${signingKeyFile}`,
  ];
}

/** The apiserver's arguments with other ServiceAccount keys, in place of the ones it had. */
export function withServiceAccountKeys(args: readonly string[], keyArgs: readonly string[]): string[] {
  const at = args.findIndex((arg) => KEY_FLAGS.some((flag) => arg.startsWith(flag)));
  const rest = args.filter((arg) => !KEY_FLAGS.some((flag) => arg.startsWith(flag)));
  return [...rest.slice(0, at), ...keyArgs, ...rest.slice(at)];
}

/** The key files an apiserver command line names: [verifying keys, signing key]. */
export function serviceAccountKeysOf(args: readonly string[]): { verifying: string[]; signing: string | undefined } {
  const valuesOf = (flag: string) => args.filter((arg) => arg.startsWith(flag)).map((arg) => arg.slice(flag.length));
  return {
    verifying: valuesOf('--service-account-key-file='),
    signing: valuesOf('--service-account-signing-key-file=')[0],
  };
}
