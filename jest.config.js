/** @type {import('jest').Config} */
module.exports = {
  // Node's, removing each test file's temporary folders even when the file fails to load.
  testEnvironment: "<rootDir>/__tests__/helpers/environment.js",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // A temporary directory of the run's own, which must be empty at the end (helpers/temp-guard.js).
  globalSetup: "<rootDir>/__tests__/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/global-teardown.js",
  testTimeout: 120000,
  // Two workers on the project's 2-core machines: terraform runs in child processes, so the cores stay busy.
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/__tests__/summary-reporter.js"],
};
