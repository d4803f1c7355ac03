import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The TCP connections a process holds to the API server, read from /proc: a
 * connection opened per request (TLS handshake and all) would show as new
 * local ports between two readings. Sampled during a phase, the union of the
 * local ports is every connection the phase used.
 */
export function connectionsTo(pid: number, remotePort: number): Set<number> {
  const inodes = socketInodes(pid);
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const [local, remote, state, inode] = [fields[1], fields[2], fields[3], fields[9]];
      if (local === undefined || remote === undefined || inode === undefined) continue;
      // 01 = ESTABLISHED; ports are hex after the colon.
      if (state !== '01' || !inodes.has(inode) || portOf(remote) !== remotePort) continue;
      ports.add(portOf(local));
    }
  }
  return ports;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // The descriptor closed between listing and reading it.
    }
  }
  return inodes;
}

function portOf(address: string): number {
  return Number.parseInt(address.split(':')[1] ?? '', 16);
}

/** Samples until stopped: how many distinct connections the process held, and how many of those it opened meanwhile. */
export function sampleConnections(
  pid: number,
  remotePort: number,
  everyMs: number,
): { stop(): { readonly held: number; readonly opened: number } } {
  const before = connectionsTo(pid, remotePort);
  const seen = new Set(before);
  const timer = setInterval(() => {
    for (const port of connectionsTo(pid, remotePort)) seen.add(port);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      for (const port of connectionsTo(pid, remotePort)) seen.add(port);
      return { held: seen.size, opened: [...seen].filter((port) => !before.has(port)).length };
    },
  };
}
