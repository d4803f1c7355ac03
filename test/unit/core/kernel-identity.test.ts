import { describe, expect, it } from 'vitest';
import {
  containerByStatusId,
  identityOf,
  normalizePodUid,
  parseCgroupPath,
  sameContainer,
} from '../../../lib/core/kernel-identity.js';

const uid = '0f3c2b1a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const cid = 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0a1b2';

describe('cgroup paths', () => {
  it.each([
    ['cgroupfs v1', `/sys/fs/cgroup/cpu,cpuacct/kubepods/burstable/pod${uid}/${cid}`],
    ['cgroupfs v2', `/kubepods/besteffort/pod${uid}/${cid}`],
    ['cgroupfs guaranteed', `/kubepods/pod${uid}/${cid}`],
    [
      'systemd containerd',
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replaceAll('-', '_')}.slice/cri-containerd-${cid}.scope`,
    ],
    ['systemd cri-o', `kubepods-pod${uid.replaceAll('-', '_')}.slice/crio-${cid}.scope`],
    ['cgroupfs cri-o', `/kubepods/burstable/pod${uid}/crio-${cid}`],
    [
      'cgroup v2 from /proc/<pid>/cgroup',
      `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid.replaceAll('-', '_')}.slice/cri-containerd-${cid}.scope`,
    ],
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

describe('containerByStatusId', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    status: {
      initContainerStatuses: [{ name: 'setup', containerID: `containerd://${'b'.repeat(64)}` }],
      containerStatuses: [{ name: 'waiting' }, { name: 'app', containerID: `containerd://${cid}` }],
    },
  };

  it.each([
    ['the full ID with prefix', `containerd://${cid}`, 'app'],
    ['the bare short form', cid.slice(0, 12), 'app'],
    ['an init container', 'b'.repeat(64), 'setup'],
    ['an unknown ID', 'c'.repeat(64), undefined],
    ['no ID', undefined, undefined],
  ])('finds %s', (_name, id, expected) => {
    expect(containerByStatusId(pod, id)).toBe(expected);
  });
});
