// vitest types provide()/inject() only through this interface; the values come from the
// global setups (test/integration, test/upstream, test/knative).
import type { KnativeModuleDirs } from '../upstream/modules.js';
import type { NodeRuntime } from '../upstream/node.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the run's control plane (or KERNEL_GOSSIP_KUBECONFIG). */
    kubeconfig: string;
    /** kubectl of the same release as the apiserver. */
    kubectl: string;
    controlPlaneDataDir: string;
    /** Control file for `controlPlaneControl()` from test/controlplane/control-client.ts. */
    controlPlaneControl: string;
    /** Directories of the pinned Knative modules in the Go module cache (test/upstream/modules.ts). */
    knativeModules: KnativeModuleDirs;
    /** The Node.js of the image (func.yaml BP_NODE_VERSION), or why it could not be fetched. */
    imageNode: NodeRuntime;
    /** The Knative Broker ingress of the run's eventing set: POST `${eventingIngress}/<namespace>/<broker>`. */
    eventingIngress: string;
    /** The Knative Broker filter of the same set, for test/eventing/sender-identity.ts's canary. */
    eventingFilter: string;
    /** What the run put into Eventing's config-features (KERNEL_GOSSIP_EVENTING_FEATURES). */
    eventingFeatures: Record<string, string>;
  }
}
