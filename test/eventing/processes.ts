import path from 'node:path';
import type { EventingCommand } from './binaries.js';
import { SYSTEM_NAMESPACE } from './install.js';

/**
 * How each Eventing command runs here: the environment its Deployment in the release gives
 * it (the deployments/ folders of the module's config/), with the Downward API values written out,
 * ports of our choosing where the command lets us choose, and the proxy for cluster names.
 * The controllers are told where to find images they never start (no pod is ever created).
 */
export type ProcessSpec = {
  readonly name: EventingCommand;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly logFile: string;
  /** A kubelet-style readiness probe, for the commands that serve one. */
  readonly probe?: { readonly port: number; readonly status: number };
};

export type EventingPorts = {
  readonly ingress: number;
  readonly ingressHttps: number;
  readonly filter: number;
  readonly filterHttps: number;
  readonly channelWebhook: number;
  readonly proxy: number;
  /** One profiling port per command; knative.dev/pkg listens on 8008 unless told otherwise. */
  readonly profiling: Readonly<Record<EventingCommand, number>>;
};

/** The dispatcher's hard-coded HTTP port (and 8443 for HTTPS); see ports.ts. */
export const DISPATCHER_HTTP_PORT = 8080;
/** Names this harness's processes in their environment, so an orphan of a killed run can be told apart. */
export const DIR_MARKER = 'KERNEL_GOSSIP_EVENTING_DIR';

const UNUSED_IMAGE = 'registry.invalid/kernel-gossip/never-pulled:0';

/** In start order: the dispatcher first, before anything else can take :8080 for its health probe. */
export function processSpecs(binDir: string, dataDir: string, kubeconfig: string, ports: EventingPorts): ProcessSpec[] {
  const base = (name: EventingCommand, metricsDomain: string): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dataDir,
    KUBECONFIG: kubeconfig,
    SYSTEM_NAMESPACE,
    CONFIG_LOGGING_NAME: 'config-logging',
    CONFIG_OBSERVABILITY_NAME: 'config-observability',
    METRICS_DOMAIN: metricsDomain,
    POD_NAME: `${name.replaceAll('_', '-')}-local`,
    PROFILING_PORT: String(ports.profiling[name]),
    HTTP_PROXY: `http://127.0.0.1:${ports.proxy}`,
    HTTPS_PROXY: `http://127.0.0.1:${ports.proxy}`,
    [DIR_MARKER]: dataDir,
  });
  const spec = (name: EventingCommand, env: Record<string, string>, extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
    name,
    command: path.join(binDir, name),
    args: [],
    env,
    logFile: path.join(dataDir, `${name}.log`),
    ...extra,
  });
  const controllerArgs = { args: ['--disable-ha'] };
  return [
    spec(
      'channel_dispatcher',
      {
        ...base('channel_dispatcher', 'knative.dev/inmemorychannel-dispatcher'),
        CONTAINER_NAME: 'dispatcher',
        MAX_IDLE_CONNS: '1000',
        MAX_IDLE_CONNS_PER_HOST: '1000',
      },
      { probe: { port: DISPATCHER_HTTP_PORT, status: 204 } },
    ),
    spec(
      'ingress',
      {
        ...base('ingress', 'knative.dev/internal/eventing'),
        NAMESPACE: SYSTEM_NAMESPACE,
        CONTAINER_NAME: 'ingress',
        INGRESS_PORT: String(ports.ingress),
        INGRESS_PORT_HTTPS: String(ports.ingressHttps),
      },
      { probe: { port: ports.ingress, status: 200 } },
    ),
    spec(
      'filter',
      {
        ...base('filter', 'knative.dev/internal/eventing'),
        NAMESPACE: SYSTEM_NAMESPACE,
        CONTAINER_NAME: 'filter',
        FILTER_PORT: String(ports.filter),
        FILTER_PORT_HTTPS: String(ports.filterHttps),
      },
      { probe: { port: ports.filter, status: 200 } },
    ),
    spec(
      'controller',
      {
        ...base('controller', 'knative.dev/eventing'),
        APISERVER_RA_IMAGE: UNUSED_IMAGE,
        AUTH_PROXY_IMAGE: UNUSED_IMAGE,
      },
      controllerArgs,
    ),
    spec('mtchannel_broker', base('mtchannel_broker', 'knative.dev/eventing'), controllerArgs),
    spec(
      'channel_controller',
      {
        ...base('channel_controller', 'knative.dev/inmemorychannel-controller'),
        WEBHOOK_NAME: 'inmemorychannel-webhook',
        WEBHOOK_PORT: String(ports.channelWebhook),
        DISPATCHER_IMAGE: UNUSED_IMAGE,
      },
      controllerArgs,
    ),
    spec('mtping', {
      ...base('mtping', 'knative.dev/eventing'),
      NAMESPACE: SYSTEM_NAMESPACE,
      K_OBSERVABILITY_CONFIG: '{}',
      K_LOGGING_CONFIG: '',
      K_LEADER_ELECTION_CONFIG: '',
      K_NO_SHUTDOWN_AFTER: '',
      K_SINK_TIMEOUT: '-1',
    }),
  ];
}
