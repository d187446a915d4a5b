import { defineConfig } from 'vitest/config';

// The AWS SDK warns once per process that Node 20 support ends in 2027; the suite does not need telling.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The Lambda entries write EMF metrics to stdout; the test of the EMF writer turns them back on.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

export const config = defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/dynamodb-local.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});

// biome-ignore lint/style/noDefaultExport: vitest reads the default export of its config file.
export default config;
