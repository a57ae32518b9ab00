// One jest run: unit, database, process and browser tests once, the integration suite once per database engine.
const { require: requireTypeScript } = require('tsx/cjs/api');

const transform = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
};

function project(displayName, folder, extra = {}) {
  return {
    displayName,
    rootDir: __dirname,
    testEnvironment: 'node',
    roots: [`<rootDir>/app/test/${folder}`.replace(/\/$/, '')],
    testMatch: ['**/*.test.ts'],
    transform,
    ...extra,
  };
}

const integrationEngines = [
  { name: 'sqlite', setup: 'database.sqlite.ts', available: () => true },
  { name: 'mariadb', setup: 'database.mariadb.ts', available: (services) => services.mariaDbAvailable(), engine: 'mysql' },
  { name: 'postgres', setup: 'database.postgres.ts', available: (services) => services.postgresAvailable(), engine: 'postgres' },
];

/**
 * Without CI=true an engine whose server is missing is left out with a message naming it; with CI=true
 * every engine runs, and the tests fail naming the missing server.
 */
function integrationProjects() {
  const ci = process.env.CI === 'true';
  const services = ci ? undefined : requireTypeScript('./app/test/helpers/requiredService.ts', __filename);
  const { engineService } = ci ? {} : requireTypeScript('./app/test/helpers/testDatabase.ts', __filename);
  return integrationEngines.flatMap(({ name, setup, available, engine }) => {
    if (!ci && !available(services)) {
      process.stderr.write(`Skipping project integration:${name}: ${engineService(engine)} is not available on this machine\n`);
      return [];
    }
    return [
      project(`integration:${name}`, 'integration', {
        setupFiles: [`<rootDir>/app/test/setup/${setup}`, '<rootDir>/app/test/setup/fastPasswordHashing.ts'],
        setupFilesAfterEnv: ['<rootDir>/app/test/setup/dropTestDatabases.ts'],
      }),
    ];
  });
}

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    // Every other folder (unit, db, process, browser and any added later) runs once.
    project('engine-independent', '', { testPathIgnorePatterns: ['/node_modules/', '<rootDir>/app/test/integration/'] }),
    ...integrationProjects(),
  ],
};
