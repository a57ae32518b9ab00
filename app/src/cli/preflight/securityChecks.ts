import { productionSecretProblems } from '../../config';
import { AUDIT_SEVERITIES } from './audit';
import { loginStatusWithoutCsrfToken } from './csrfProbe';
import { databasePermissions } from './databasePermissions';
import { fail, pass, PreflightCheck, warn } from './types';

const SECTION = 'Security Review';

/** Passwords an installer is likely to have left on an administrator account. */
const WELL_KNOWN_PASSWORDS = [
  'admin',
  'administrator',
  'password',
  'password1',
  'password123',
  'changeme',
  'changeme123',
  'todobox',
  'todobox123',
  'letmein',
  '12345678',
  '1234567890',
];

/** Markdown that must come out of the renderer without anything executable. */
const MARKDOWN_ATTACKS: Array<{ source: string; forbidden: RegExp }> = [
  { source: '<script>alert(1)</script>', forbidden: /<script/i },
  { source: '[click](javascript:alert(1))', forbidden: /javascript:/i },
  { source: '<img src="x" onerror="alert(1)">', forbidden: /onerror/i },
  { source: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', forbidden: /data:text/i },
  { source: '<iframe src="https://example.com"></iframe>', forbidden: /<iframe/i },
];

function secretCheck(variable: 'SECRET_KEY' | 'SALT'): PreflightCheck {
  return {
    section: SECTION,
    name: `${variable} changed from the default and long enough`,
    run(config) {
      const problem = productionSecretProblems(config.secretKey, config.salt).find((text) => text.startsWith(variable));
      return problem ? fail(problem) : pass(`${variable} is set (${variable === 'SALT' ? config.salt.length : config.secretKey.length} characters)`);
    },
  };
}

export const securityChecks: PreflightCheck[] = [
  secretCheck('SECRET_KEY'),
  secretCheck('SALT'),
  {
    section: SECTION,
    name: 'Debug mode off (NODE_ENV=production)',
    run: (config) =>
      config.isProduction
        ? pass('NODE_ENV=production: no stack traces on error pages')
        : fail(`NODE_ENV=${config.env}: set NODE_ENV=production`),
  },
  {
    section: SECTION,
    name: 'HTTPS behind a TLS proxy (TRUST_PROXY)',
    run: ({ trustProxy }) => {
      if (!trustProxy) {
        return warn('TRUST_PROXY is not set: cookies are not marked Secure; serve the app only behind a TLS proxy and set TRUST_PROXY');
      }
      if (trustProxy === true) {
        return warn(
          'TRUST_PROXY=true believes every X-Forwarded-For entry, so a client names its own address (and escapes the per-address login limit): ' +
            'set the hop count (1 behind nginx or a load balancer, 2 behind CloudFront and a load balancer) or the proxies\' addresses',
        );
      }
      return pass(`TRUST_PROXY=${String(trustProxy)}: Secure cookies and HSTS are on, client addresses from the trusted proxies`);
    },
  },
  {
    section: SECTION,
    name: 'Administrator credentials',
    async run(_config, { services }) {
      const { administrators, matching } = await services.users.administratorsUsingPasswords(WELL_KNOWN_PASSWORDS);
      if (administrators === 0) return fail('no administrator account: run "todobox user:create <email> --name <name> --admin"');
      if (matching.length) return fail(`well-known password on ${matching.join(', ')}: change it`);
      return pass(`${administrators} administrator(s), none with a well-known password`);
    },
  },
  {
    section: SECTION,
    name: 'Database user permissions',
    run: (config, { db }) => databasePermissions(config, db),
  },
  {
    section: SECTION,
    name: 'CSRF protection',
    async run(config, { db }) {
      const status = await loginStatusWithoutCsrfToken(config, db);
      return status === 403
        ? pass('a login form posted without a CSRF token was refused with 403')
        : fail(`a login form posted without a CSRF token got ${status} instead of 403`);
    },
  },
  {
    section: SECTION,
    name: 'HTML sanitization of Markdown',
    run(_config, { renderMarkdown }) {
      const survivors = MARKDOWN_ATTACKS.filter(({ source, forbidden }) => forbidden.test(renderMarkdown(source))).map(
        ({ source }) => source,
      );
      return survivors.length
        ? fail(`dangerous markup survived rendering: ${survivors.join(' | ')}`)
        : pass(`${MARKDOWN_ATTACKS.length} script, javascript:, data:, event-handler and iframe vectors removed`);
    },
  },
  {
    section: SECTION,
    name: 'Dependencies without known vulnerabilities (npm audit)',
    async run(_config, { auditDependencies }) {
      const outcome = await auditDependencies();
      if (!outcome.ran) return warn(`npm audit could not run (${outcome.reason}); run it where the registry is reachable`);
      const { vulnerabilities } = outcome;
      const summary = AUDIT_SEVERITIES.filter((severity) => vulnerabilities[severity] > 0)
        .map((severity) => `${vulnerabilities[severity]} ${severity}`)
        .join(', ');
      if (vulnerabilities.high + vulnerabilities.critical > 0) return fail(`${summary}: run "npm audit --omit=dev"`);
      if (summary) return warn(`${summary}: review "npm audit --omit=dev"`);
      return pass('no known vulnerabilities in production dependencies');
    },
  },
];
