import { defineConfig } from 'vitest/config';

// Projects named after what a test needs: nothing (unit); files Knative publishes as
// Go modules, fetched once through the Go module proxy (upstream); a real kube-apiserver +
// etcd that the global setup starts once per run (integration); a control plane of its
// own that the tests kill and restart (faults), so restarts never disturb the other
// integration tests; a real API server and headless Chromium (browser: the viewer as a
// person sees it); or a control plane of its own plus the real Knative Eventing data
// plane (knative), one set per machine at a time because its dispatcher holds ports 8080
// and 8443.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'upstream',
          include: ['test/upstream/**/*.test.ts'],
          globalSetup: ['test/upstream/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/faults/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'knative',
          include: ['test/knative/**/*.test.ts'],
          globalSetup: ['test/knative/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
