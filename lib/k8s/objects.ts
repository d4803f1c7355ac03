/**
 * Plain JSON shapes of Kubernetes objects as the rest of the code sees them.
 * Deliberately not client-node's classes: the pure core stays free of I/O imports.
 */
export type ObjectMeta = {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: readonly OwnerReference[];
};

export type OwnerReference = { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean };

export type KubeObject<Spec = unknown, Status = unknown> = {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
};

export type ObjectRef = { readonly namespace: string; readonly name: string };
