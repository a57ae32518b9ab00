// One jest run: unit, database, process and browser tests once, the integration suite once per database engine.
const { require: requireTypeScript } = require('tsx/cjs/api');

const transform = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
};

function project(displayName, roots, extra = {}) {
  return {
    displayName,
    rootDir: __dirname,
    testEnvironment: 'node',
    roots: roots.map((folder) => `<rootDir>/${folder}`),
    testMatch: ['**/*.test.ts'],
    transform,
    ...extra,
  };
}

// SQLite keeps its sessions in the database (the embedded default); MariaDB and PostgreSQL run with
// sessions in Redis, the production layout.
const integrationEngines = [
  { name: 'sqlite', setup: ['database.sqlite.ts'], available: () => true },
  {
    name: 'mariadb',
    setup: ['database.mariadb.ts', 'sessions.redis.ts'],
    available: (services) => services.mariaDbAvailable(),
    engine: 'mysql',
    redis: true,
  },
  {
    name: 'postgres',
    setup: ['database.postgres.ts', 'sessions.redis.ts'],
    available: (services) => services.postgresAvailable(),
    engine: 'postgres',
    redis: true,
  },
];

/** What a project lacks on this machine: its database server or Redis (none when all answer). */
function missingService(services, engineService, { available, engine, redis }) {
  if (!available(services)) return engineService(engine);
  if (redis && !services.redisAvailable()) return `Redis (${services.REDIS_TEST_URL})`;
  return undefined;
}

/**
 * Without CI=true a project whose database server or Redis is missing is left out with a message
 * naming it; with CI=true every project runs, and the tests fail naming the missing service.
 */
function integrationProjects() {
  const ci = process.env.CI === 'true';
  const services = ci ? undefined : requireTypeScript('./app/test/helpers/requiredService.ts', __filename);
  const { engineService } = ci ? {} : requireTypeScript('./app/test/helpers/testDatabase.ts', __filename);
  return integrationEngines.flatMap((engine) => {
    const missing = ci ? undefined : missingService(services, engineService, engine);
    if (missing) {
      process.stderr.write(`Skipping project integration:${engine.name}: ${missing} is not available on this machine\n`);
      return [];
    }
    return [
      project(`integration:${engine.name}`, ['app/test/integration'], {
        setupFiles: [...engine.setup.map((file) => `<rootDir>/app/test/setup/${file}`), '<rootDir>/app/test/setup/fastPasswordHashing.ts'],
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
    // Every other folder of the app's tests (unit, db, process, browser and any added later) runs
    // once, with the tests of the deployment files, of the monitoring configuration and of the load
    // tests beside them.
    project('engine-independent', ['app/test', 'infra', 'monitoring', 'loadtest'], {
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/app/test/integration/'],
    }),
    ...integrationProjects(),
  ],
};
