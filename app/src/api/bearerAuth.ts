import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import type { TokenService } from '../tokens';

const REALM = 'Bearer realm="TodoBox"';

/** Authenticates a request by its `Authorization: Bearer <token>` header; sessions play no part here. */
export function bearerAuth(tokens: TokenService): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(req.get('authorization') ?? '');
    if (!match) {
      throw new AppError('unauthenticated', 'Authentication required: send the header "Authorization: Bearer <token>"', { challenge: REALM });
    }
    const user = await tokens.authenticate(match[1]);
    if (!user) {
      throw new AppError('unauthenticated', 'The API token is invalid or has been revoked', { challenge: `${REALM}, error="invalid_token"` });
    }
    req.user = user;
    next();
  };
}
