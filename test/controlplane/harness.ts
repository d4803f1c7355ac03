import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeAuditPolicy } from './audit-log.js';
import { ensureControlPlaneBinaries } from './binaries.js';
import { generateCerts } from './certs.js';
import { controlFileName, dataDirPrefix, destroyNow, registerExitCleanup, sweepStaleDataDirs } from './cleanup.js';
import { apiServerSpec, etcdSpec } from './components.js';
import { type ControlPlaneControl, controlPlaneControl } from './control-client.js';
import { readControlFile, writeControlFile } from './control-file.js';
import { connectExternalCluster } from './external.js';
import { writeAdminKubeconfig } from './kubeconfig.js';
import { freePorts } from './ports.js';

export type { ControlPlaneControl } from './control-client.js';

export interface ControlPlane extends ControlPlaneControl {
  /** Admin kubeconfig (client certificate in O=system:masters, all data embedded). */
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly caPem: string;
  readonly binDir: string;
  readonly kubectlPath: string;
  /** Temp dir with certs, etcd data, component logs and the control file. */
  readonly dataDir: string;
  /** Path for `controlPlaneControl()` in another process (a test worker). */
  readonly controlFile: string;
  /** True when pointing at KERNEL_GOSSIP_KUBECONFIG instead of a started control plane. */
  readonly external: boolean;
  /** The apiserver's audit log (one JSON event per request), when started with `auditLog`. */
  readonly auditLogPath?: string;
  /** Stops the components and removes the data dir; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartControlPlaneOptions {
  /** Where to write the admin kubeconfig (e.g. `.dev/kubeconfig`); default: in the data dir. */
  readonly kubeconfigPath?: string;
  /** Use this existing cluster instead; default: env KERNEL_GOSSIP_KUBECONFIG. */
  readonly externalKubeconfig?: string;
  /** Per component; default 60 s. The first run also builds binaries, not counted here. */
  readonly startTimeoutMs?: number;
  /**
   * Record every request in an audit log (test/controlplane/audit-log.ts reads it): the
   * only count the apiserver keeps of non-resource requests such as its issuer keys.
   */
  readonly auditLog?: boolean;
}

/** Starts etcd and a secured kube-apiserver on free loopback ports with a fresh data dir. */
export async function startControlPlane(options: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  const external = options.externalKubeconfig ?? process.env.KERNEL_GOSSIP_KUBECONFIG;
  if (external !== undefined && external !== '') return connectExternalCluster(external);
  sweepStaleDataDirs();
  const { binDir } = await ensureControlPlaneBinaries();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), dataDirPrefix));
  const controlFile = path.join(dataDir, controlFileName);
  const owner = { ownerPid: process.pid, dataDir, external: false };
  writeControlFile(controlFile, { ...owner, components: {} });
  const unregister = registerExitCleanup(dataDir);
  const teardown = (): void => {
    unregister();
    destroyNow(dataDir);
  };
  try {
    return await startIn({ dataDir, controlFile, binDir, options, teardown });
  } catch (error) {
    teardown();
    throw error;
  }
}

interface Layout {
  readonly dataDir: string;
  readonly controlFile: string;
  readonly binDir: string;
  readonly options: StartControlPlaneOptions;
  /** Kills whatever runs and removes the data dir, at once. */
  readonly teardown: () => void;
}

async function startIn(layout: Layout): Promise<ControlPlane> {
  const { dataDir, controlFile, binDir, options, teardown } = layout;
  const certs = await generateCerts(path.join(dataDir, 'pki'));
  const ports = await freePorts();
  const audit = options.auditLog === true ? await writeAuditPolicy(dataDir) : undefined;
  const components = {
    etcd: etcdSpec(binDir, dataDir, ports),
    apiserver: apiServerSpec(binDir, dataDir, ports, certs, audit),
  };
  writeControlFile(controlFile, { ...readControlFile(controlFile), components });
  const control = controlPlaneControl(controlFile, options);
  await control.startEtcd();
  await control.startApiServer();
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const caPem = await readFile(certs.caCert, 'utf8');
  const kubeconfigPath = options.kubeconfigPath ?? path.join(dataDir, 'kubeconfig');
  await writeAdminKubeconfig(kubeconfigPath, {
    server,
    caPem,
    certPem: await readFile(certs.adminCert, 'utf8'),
    keyPem: await readFile(certs.adminKey, 'utf8'),
  });
  const stop = async (): Promise<void> => {
    // Graceful first (etcd closes its WAL, the apiserver drains); teardown kills the rest.
    await control.stopApiServer().catch(() => undefined);
    await control.stopEtcd().catch(() => undefined);
    teardown();
  };
  return {
    ...control,
    kubeconfigPath,
    server,
    caPem,
    binDir,
    kubectlPath: path.join(binDir, 'kubectl'),
    dataDir,
    controlFile,
    external: false,
    ...(audit === undefined ? {} : { auditLogPath: audit.logFile }),
    stop,
  };
}
