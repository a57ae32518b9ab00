import fs from 'node:fs';
import path from 'node:path';
import { SECRET_MINIMUM_LENGTHS } from '../../environment';
import { fail, pass, PreflightCheck, Verdict, warn } from './types';

const SECTION = 'Configuration Review';

const SESSION_TIMEOUT_RANGE = { min: 5, max: 480 };
const VERBOSE_LOG_LEVELS = ['debug', 'silly'];
const ALL_INTERFACES = ['0.0.0.0', '::', '[::]'];

/** The directory that will hold todobox.log is writable, or can be created. */
function logDirectoryVerdict(logDir: string): Verdict {
  let existing = path.resolve(logDir);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch {
    return fail(`LOG_DIR ${logDir} is not writable (${existing})`);
  }
  return pass(`logs to stdout and ${path.join(logDir, 'todobox.log')} (${existing === path.resolve(logDir) ? 'writable' : 'will be created'})`);
}

export const configurationChecks: PreflightCheck[] = [
  {
    section: SECTION,
    name: 'Production database (DATABASE_DEFAULT)',
    run: (config) =>
      config.database.dialect === 'sqlite'
        ? warn('DATABASE_DEFAULT=sqlite: use mysql or postgres for production')
        : pass(`DATABASE_DEFAULT=${config.database.dialect}`),
  },
  {
    section: SECTION,
    name: 'Database credentials from the environment',
    run(config, { envFile }) {
      if (envFile && fs.existsSync(envFile) && fs.statSync(envFile).mode & 0o004) {
        return warn(`${envFile} holds secrets and is readable by every local user: chmod 600 it`);
      }
      if (config.database.administrator?.password) {
        return fail("DB_ADMIN_PASSWORD is in the app's environment: the app never needs it; give it to `todobox db:bootstrap` alone");
      }
      if (config.database.dialect === 'sqlite') return pass('SQLite needs no database credentials');
      if (!config.database.password) return warn(`DB_PW is empty: ${config.database.user} connects without a password`);
      return pass(`DB_USER=${config.database.user}, DB_PW set, read from the environment`);
    },
  },
  {
    section: SECTION,
    name: 'Login throttle for every address (LOGIN_THROTTLE_EXEMPT)',
    run: (config) =>
      config.loginThrottleExempt.length === 0
        ? pass('every client address is counted')
        : warn(`${config.loginThrottleExempt.join(', ')} counted per account only: remove LOGIN_THROTTLE_EXEMPT once the load test is over`),
  },
  {
    section: SECTION,
    name: 'SECRET_KEY length',
    run: (config) =>
      config.secretKey.length >= SECRET_MINIMUM_LENGTHS.SECRET_KEY
        ? pass(`${config.secretKey.length} characters (at least ${SECRET_MINIMUM_LENGTHS.SECRET_KEY})`)
        : fail(`${config.secretKey.length} characters: at least ${SECRET_MINIMUM_LENGTHS.SECRET_KEY} are needed`),
  },
  {
    section: SECTION,
    name: 'Session timeout',
    run(config) {
      const minutes = config.sessionTimeoutMinutes;
      const { min, max } = SESSION_TIMEOUT_RANGE;
      return minutes >= min && minutes <= max
        ? pass(`SESSION_TIMEOUT_MINUTES=${minutes}`)
        : warn(`SESSION_TIMEOUT_MINUTES=${minutes}: choose between ${min} and ${max} minutes`);
    },
  },
  {
    section: SECTION,
    name: 'BIND_ADDRESS and PORT',
    run(config) {
      const address = `${config.bindAddress}:${config.port}`;
      if (ALL_INTERFACES.includes(config.bindAddress) && !config.trustProxy) {
        return warn(`listens on ${address}, every interface, without TRUST_PROXY: bind to 127.0.0.1 behind the proxy`);
      }
      return pass(`listens on ${address}`);
    },
  },
  {
    section: SECTION,
    name: 'Logging configuration',
    run(config) {
      if (VERBOSE_LOG_LEVELS.includes(config.logLevel)) {
        return warn(`LOG_LEVEL=${config.logLevel} logs every SQL statement: use info in production`);
      }
      if (!config.logDir) return warn('LOG_DIR is empty: logs go to stdout only');
      return logDirectoryVerdict(config.logDir);
    },
  },
];
