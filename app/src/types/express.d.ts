import 'express-session';

declare global {
  namespace Express {
    interface User {
      id: number;
      email: string;
      name: string;
      isAdmin: boolean;
      authVersion: number;
      /** The user's version when this request read them (see UserVersions); pages are cached under it. */
      version?: string;
      /** Logged in with a temporary password an administrator set: only the password form is open. */
      mustChangePassword?: boolean;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    /** authVersion of the user when this session logged in. */
    authVersion: number;
    /** Epoch milliseconds of the last request, for the idle timeout. */
    lastSeenAt: number;
    remember: boolean;
    /** Epoch milliseconds at which a remembered login ends, whatever its activity (REMEMBER_ME_DAYS after login). */
    rememberedUntil: number;
    returnTo: string;
    /** A token just created, until the page after the form's redirect shows it (see tokenRoutes). */
    newToken: { name: string; token: string; until: number };
    /** What a form sent after its login had ended, offered back on `page` after the next login (see formDrafts). */
    formDraft: { page: string; fields: Record<string, string>; savedAt: number; userId: number };
  }
}
