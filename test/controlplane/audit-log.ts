import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The apiserver's audit log as a request counter: one event per request once its
 * response is complete, with who asked and for which URI. The apiserver counts
 * non-resource requests (its issuer discovery document and keys) nowhere else.
 */
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
`;

export async function writeAuditPolicy(dataDir: string): Promise<{ policyFile: string; logFile: string }> {
  const policyFile = path.join(dataDir, 'audit-policy.yaml');
  writeFileSync(policyFile, POLICY);
  return { policyFile, logFile: path.join(dataDir, 'audit.log') };
}

export type AuditedRequest = {
  readonly verb: string;
  readonly uri: string;
  readonly user: string;
  readonly code: number;
};

type AuditEvent = {
  verb?: string;
  requestURI?: string;
  user?: { username?: string };
  responseStatus?: { code?: number };
};

/**
 * The requests the apiserver completed while `phase` ran, other than its own
 * (system:apiserver keeps leases and caches on its own clock). A request to a
 * unique fence path, made after the phase, marks where the phase's events end.
 */
export async function auditedDuring(
  logFile: string,
  fence: (uri: string) => Promise<void>,
  phase: () => Promise<void>,
): Promise<AuditedRequest[]> {
  const start = readFileSync(logFile, 'utf8').length;
  await phase();
  const marker = `/apis/kernel-gossip-audit-fence/${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await fence(marker);
  for (let attempt = 0; attempt < 100; attempt++) {
    const events = readFileSync(logFile, 'utf8')
      .slice(start)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditEvent);
    const end = events.findIndex((event) => event.requestURI === marker);
    if (end >= 0)
      return events
        .slice(0, end)
        .map((event) => ({
          verb: event.verb ?? '',
          uri: event.requestURI ?? '',
          user: event.user?.username ?? '',
          code: event.responseStatus?.code ?? 0,
        }))
        .filter((request) => request.user !== 'system:apiserver');
    await sleep(50);
  }
  throw new Error(`the audit fence ${marker} never reached ${logFile}`);
}
