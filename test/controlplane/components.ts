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

export function apiServerSpec(binDir: string, dataDir: string, ports: Ports, certs: ControlPlaneCerts): ComponentSpec {
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
      `--service-account-key-file=${certs.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${certs.serviceAccountPrivateKey}`,
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
