import type { Request } from 'express';
import type { PassportStatic } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { AuthService, toSessionUser } from './service';

type Authenticator = InstanceType<PassportStatic['Passport']>;

/** Email + password login; the session keeps only the user id, checked against the database each request. */
export function configurePassport(authenticator: Authenticator, auth: AuthService): Authenticator {
  authenticator.use(
    new LocalStrategy({ usernameField: 'email', passwordField: 'password' }, async (email, password, done) => {
      try {
        const result = await auth.authenticate(email, password);
        if (result.ok) return done(null, toSessionUser(result.user));
        return done(null, false, { message: result.reason });
      } catch (error) {
        return done(error);
      }
    }),
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
