import { execFile } from 'node:child_process';

/** What it takes to run kubectl against a control plane: its binary and an admin kubeconfig. */
export type KubectlTarget = { readonly kubectlPath: string; readonly kubeconfigPath: string };

/** Runs kubectl to completion; resolves to stdout, rejects with its stderr in the message. */
export function runKubectl(target: KubectlTarget, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      target.kubectlPath,
      ['--kubeconfig', target.kubeconfigPath, ...args],
      { maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      },
    );
    child.stdin?.end(input ?? '');
  });
}
