import net from 'node:net';

/**
 * The in-memory channel dispatcher listens on :8080 and :8443, hard-coded, on every
 * interface. Checked after the machine lock is ours, so whatever holds them now is not
 * another test run but something else (an `npm run dev` on its default port, a stray
 * dispatcher): fail with a message that says what to look for, not a dispatcher that
 * serves nothing.
 */
export const DISPATCHER_PORTS = [8080, 8443] as const;

export async function assertDispatcherPortsFree(): Promise<void> {
  const busy: number[] = [];
  for (const port of DISPATCHER_PORTS) if (!(await isFree(port))) busy.push(port);
  if (busy.length === 0) return;
  const which = busy.join(' and ');
  throw new Error(
    `Port ${which} ${busy.length === 1 ? 'is' : 'are'} in use, but the Knative in-memory channel dispatcher needs ` +
      `8080 and 8443 (hard-coded). Find the holder with \`ss -ltnp 'sport = :${busy[0]}'\` and stop it ` +
      '(`npm run dev` serves the ingest on 8080 unless INGEST_PORT says otherwise).',
  );
}

/** Listens the way the dispatcher does (all interfaces, both IP versions) and lets go at once. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port }, () => server.close(() => resolve(true)));
  });
}
