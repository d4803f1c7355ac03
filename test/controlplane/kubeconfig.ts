import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AdminKubeconfig {
  readonly server: string;
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

const contextName = 'kernel-gossip-test';

/**
 * Writes a kubeconfig with the credentials embedded, so it keeps working when copied and
 * needs no other file. JSON is valid YAML, which kubectl and client-node both read.
 */
export async function writeAdminKubeconfig(file: string, admin: AdminKubeconfig): Promise<void> {
  const base64 = (pem: string): string => Buffer.from(pem).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: contextName,
        cluster: { server: admin.server, 'certificate-authority-data': base64(admin.caPem) },
      },
    ],
    users: [
      {
        name: `${contextName}-admin`,
        user: {
          'client-certificate-data': base64(admin.certPem),
          'client-key-data': base64(admin.keyPem),
        },
      },
    ],
    contexts: [
      {
        name: contextName,
        context: { cluster: contextName, user: `${contextName}-admin`, namespace: 'default' },
      },
    ],
    'current-context': contextName,
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
