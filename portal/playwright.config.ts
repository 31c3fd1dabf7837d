import { defineConfig } from '@playwright/test';

// Browser tests run against a REAL Chorus server (the Makefile starts it and sets
// CHORUS_E2E_URL and CHORUS_MAIL_DIR). Browsers are never downloaded: we drive the system
// Chromium (Debian package) through CHROMIUM_PATH.
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts', // e2e/*.test.ts are Vitest unit tests of the helpers
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  fullyParallel: false,
  reporter: [['list']],
  use: {
    baseURL: process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080',
    headless: true,
    viewport: { width: 1366, height: 860 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    locale: 'en-US',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
