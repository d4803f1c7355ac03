import { describe, expect, it } from 'vitest';
import { identityOf, normalizePodUid, parseCgroupPath, sameContainer } from '../../../lib/core/kernel-identity.js';

const uid = '0f3c2b1a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const cid = 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2';

describe('cgroup paths', () => {
  it.each([
    ['cgroupfs v1', `/sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod${uid}/${cid}`],
    ['cgroupfs v2', `/kubepods/besteffort/pod${uid}/${cid}`],
    ['cgroupfs guaranteed', `/kubepods/pod${uid}/${cid}`],
    ['systemd containerd', `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replaceAll('-', '_')}.slice/cri-containerd-${cid}.scope`],
    ['systemd cri-o', `kubepods-pod${uid.replaceAll('-', '_')}.slice/crio-${cid}.scope`],
  ])('%s', (_name, path) => {
    expect(parseCgroupPath(path)).toEqual({ podUid: uid, containerId: cid });
  });

  it('finds only the pod for a pod-level cgroup', () => {
    expect(parseCgroupPath(`/kubepods/burstable/pod${uid}`)).toEqual({ podUid: uid, containerId: undefined });
  });

  it('finds nothing in a non-Kubernetes path', () => {
    expect(parseCgroupPath('/system.slice/sshd.service')).toEqual({ podUid: undefined, containerId: undefined });
  });
});

describe('identities', () => {
  it('normalises pod UIDs and strips runtime prefixes', () => {
    expect(normalizePodUid(uid.replaceAll('-', '_').toUpperCase())).toBe(uid);
    expect(identityOf({ container_id: `containerd://${cid}` })).toEqual({ podUid: undefined, containerId: cid });
  });

  it('matches the short form of a container ID against the full one', () => {
    expect(sameContainer(`containerd://${cid}`, cid.slice(0, 12))).toBe(true);
    expect(sameContainer(`containerd://${cid}`, 'ffffffffffff')).toBe(false);
    expect(sameContainer(`containerd://${cid}`, 'a1b2')).toBe(false);
  });
});
