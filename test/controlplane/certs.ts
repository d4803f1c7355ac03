import { execFile } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const generateKeyPairAsync = promisify(generateKeyPair);

/** Paths of the PEM files a throw-away control plane needs. */
export interface ControlPlaneCerts {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountPublicKey: string;
  readonly serviceAccountPrivateKey: string;
}

// The names clients use for the apiserver: loopback from tests, the in-cluster name from
// anything that follows the kubernetes.default.svc convention.
const servingNames = 'IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc';

// A minimal config instead of the distro's openssl.cnf, whose default extension sections
// differ between distros; every extension we want is passed with -addext.
const opensslConfig = '[req]\ndistinguished_name = dn\n[dn]\n';

/**
 * node:crypto cannot issue X.509 certificates, so openssl (3.x, for `req -x509 -CA`) signs
 * them; the ServiceAccount key pair needs no certificate and comes from node:crypto.
 * Certificates live two days: a control plane lives for one test run.
 */
export async function generateCerts(dir: string): Promise<ControlPlaneCerts> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = (name: string): string => path.join(dir, name);
  const config = file('openssl.cnf');
  await writeFile(config, opensslConfig);
  const certs: ControlPlaneCerts = {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    servingCert: file('apiserver.crt'),
    servingKey: file('apiserver.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountPublicKey: file('sa.pub'),
    serviceAccountPrivateKey: file('sa.key'),
  };
  const issue = (cert: string, key: string, subject: string, extensions: string[], signed: boolean): Promise<void> =>
    openssl(config, cert, key, subject, [
      ...(signed ? ['-CA', certs.caCert, '-CAkey', certs.caKey] : []),
      ...extensions.flatMap((extension) => ['-addext', extension]),
    ]);
  await issue(
    certs.caCert,
    certs.caKey,
    '/CN=kernel-gossip-test-ca',
    ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'],
    false,
  );
  const leaf = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];
  await Promise.all([
    issue(
      certs.servingCert,
      certs.servingKey,
      '/CN=kube-apiserver',
      [...leaf, 'extendedKeyUsage=serverAuth', `subjectAltName=${servingNames}`],
      true,
    ),
    // O=system:masters is the group the apiserver always authorizes, RBAC or not.
    issue(
      certs.adminCert,
      certs.adminKey,
      '/O=system:masters/CN=kernel-gossip-admin',
      [...leaf, 'extendedKeyUsage=clientAuth'],
      true,
    ),
    writeServiceAccountKeys(certs.serviceAccountPublicKey, certs.serviceAccountPrivateKey),
  ]);
  return certs;
}

/**
 * One more certificate signed by a control plane's CA (the `pki` folder `generateCerts`
 * filled), for a test that needs a server the API server trusts (an admission webhook) or a
 * user of its own. Returns the PEM file paths.
 */
export async function issueFromTestCa(
  pkiDir: string,
  name: string,
  subject: string,
  usage: 'serverAuth' | 'clientAuth',
): Promise<{ cert: string; key: string }> {
  const file = (suffix: string): string => path.join(pkiDir, `${name}.${suffix}`);
  const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'];
  extensions.push(`extendedKeyUsage=${usage}`);
  if (usage === 'serverAuth') extensions.push('subjectAltName=IP:127.0.0.1');
  await openssl(path.join(pkiDir, 'openssl.cnf'), file('crt'), file('key'), subject, [
    ...['-CA', path.join(pkiDir, 'ca.crt'), '-CAkey', path.join(pkiDir, 'ca.key')],
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
  return { cert: file('crt'), key: file('key') };
}

async function openssl(
  config: string,
  certFile: string,
  keyFile: string,
  subject: string,
  extra: string[],
): Promise<void> {
  const args = [
    'req',
    '-x509',
    '-config',
    config,
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    subject,
    '-keyout',
    keyFile,
    '-out',
    certFile,
    ...extra,
  ];
  try {
    await execFileAsync('openssl', args);
  } catch (cause) {
    throw new Error(`openssl (>= 3.0, on PATH) could not issue the test certificate ${subject}`, {
      cause,
    });
  }
}

/** A ServiceAccount token signing key pair (PEM), as a cluster rotating its key would make one. */
export async function writeServiceAccountKeys(publicKeyFile: string, privateKeyFile: string): Promise<void> {
  const { publicKey, privateKey } = await generateKeyPairAsync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await writeFile(publicKeyFile, publicKey);
  await writeFile(privateKeyFile, privateKey, { mode: 0o600 });
}
