import type * as v from 'valibot';
import { CATEGORY, GROUP, KERNEL_WHISPER, POD_BIRTH_CERTIFICATE, VERSION, WORKLOAD_WHISPER } from '../lib/api/group.js';
import { KernelWhisperSpecSchema, KernelWhisperStatusSchema } from '../lib/api/kernel-whisper.js';
import { PodBirthCertificateSpecSchema, PodBirthCertificateStatusSchema } from '../lib/api/pod-birth-certificate.js';
import {
  KERNEL_WHISPER_COLUMNS,
  POD_BIRTH_CERTIFICATE_COLUMNS,
  type PrinterColumn,
  WORKLOAD_WHISPER_COLUMNS,
} from '../lib/api/printer-columns.js';
import { WorkloadWhisperSpecSchema, WorkloadWhisperStatusSchema } from '../lib/api/workload-whisper.js';
import { structuralSchema } from './structural-schema.js';

type Kind = typeof KERNEL_WHISPER | typeof POD_BIRTH_CERTIFICATE | typeof WORKLOAD_WHISPER;
type ObjectSchema = v.GenericSchema;

export type CrdSource = {
  readonly file: string;
  readonly kind: Kind;
  readonly description: string;
  readonly spec: ObjectSchema;
  readonly status: ObjectSchema;
  readonly columns: readonly PrinterColumn[];
  /** Who writes the spec and what the status is, for `kubectl explain`; the defaults describe the two observed kinds. */
  readonly specDescription?: string;
  readonly statusDescription?: string;
};

export const CRD_SOURCES: readonly CrdSource[] = [
  {
    file: 'kernelwhisper.yaml',
    kind: KERNEL_WHISPER,
    description: "The kernel's truth about CPU throttling of one container, next to what the metrics claim.",
    spec: KernelWhisperSpecSchema,
    status: KernelWhisperStatusSchema,
    columns: KERNEL_WHISPER_COLUMNS,
  },
  {
    file: 'podbirthcertificate.yaml',
    kind: POD_BIRTH_CERTIFICATE,
    description: "The kernel timeline of a pod's birth: syscalls, namespaces and cgroup writes.",
    spec: PodBirthCertificateSpecSchema,
    status: PodBirthCertificateStatusSchema,
    columns: POD_BIRTH_CERTIFICATE_COLUMNS,
  },
  {
    file: 'workloadwhisper.yaml',
    kind: WORKLOAD_WHISPER,
    description:
      'The KernelWhispers of one container of a Deployment, StatefulSet or DaemonSet rolled up by the sweep: one finding and one command for all replicas.',
    spec: WorkloadWhisperSpecSchema,
    status: WorkloadWhisperStatusSchema,
    columns: WORKLOAD_WHISPER_COLUMNS,
    specDescription: 'The workload container rolled up (written by the sweep).',
    statusDescription: 'Computed from the KernelWhispers of its live replicas: figures, limits, one recommendation.',
  },
];

/** The CustomResourceDefinition for one kind, generated from its valibot schemas. */
export function crdFor(source: CrdSource): Record<string, unknown> {
  const { kind } = source;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${kind.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'kernel-gossip' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        shortNames: [...kind.shortNames],
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: source.columns.map((column) => ({ ...column })),
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: source.description,
              required: ['spec'],
              properties: {
                apiVersion: {
                  type: 'string',
                  description: 'APIVersion defines the versioned schema of this representation of an object.',
                },
                kind: {
                  type: 'string',
                  description: 'Kind is a string value representing the REST resource this object represents.',
                },
                metadata: { type: 'object' },
                spec: {
                  ...structuralSchema(source.spec),
                  description:
                    source.specDescription ?? 'Desired state: what was observed (written by the ingest function).',
                },
                status: {
                  ...structuralSchema(source.status),
                  description:
                    source.statusDescription ?? 'Computed from the spec: insight, recommendation and conditions.',
                },
              },
            },
          },
        },
      ],
    },
  };
}
