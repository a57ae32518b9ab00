import type { Request } from 'express';
import type { PassportStatic } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { AuthenticationResult, AuthService, toSessionUser } from './service';

type Authenticator = InstanceType<PassportStatic['Passport']>;

/** Why a login was refused, handed to the login route as passport's `info`. */
export type LoginRefusal = { message: 'invalid' | 'blocked' } | { message: 'throttled'; retryAfterSeconds: number };

function refusalOf(result: Exclude<AuthenticationResult, { ok: true }>): LoginRefusal {
  return result.reason === 'throttled'
    ? { message: result.reason, retryAfterSeconds: result.retryAfterSeconds }
    : { message: result.reason };
}

export function clientAddress(req: Request): string {
  return req.ip ?? 'unknown';
}

/** Email + password login; the session keeps only the user id, checked against the database each request. */
export function configurePassport(authenticator: Authenticator, auth: AuthService): Authenticator {
  authenticator.use(
    new LocalStrategy(
      { usernameField: 'email', passwordField: 'password', passReqToCallback: true },
      async (req, email, password, done) => {
        try {
          const result = await auth.authenticate(email, password, clientAddress(req));
          if (result.ok) return done(null, toSessionUser(result.user));
          return done(null, false, refusalOf(result));
        } catch (error) {
          return done(error);
        }
      },
    ),
  );
  authenticator.serializeUser((user, done) => done(null, user.id));
  authenticator.deserializeUser((req: Request, id: number, done: (error: unknown, user?: Express.User | false) => void) => {
    auth
      .sessionUser(id, req.session.authVersion)
      .then((user) => done(null, user ?? false))
      .catch(done);
  });
  return authenticator;
}
