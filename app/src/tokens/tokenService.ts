import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import type { Database } from '../db';
import { toSessionUser } from '../auth';
import type { UserRecords } from '../auth';
import { timestampOf } from '../db';
import { NotFoundError, validate } from '../errors';
import { tokenNameSchema } from './schemas';

export const TOKEN_PREFIX = 'tbx_';
const TOKEN_BYTES = 32;
/** `tbx_` and eight characters of the secret: enough to tell tokens apart, far too little to guess one. */
const DISPLAY_PREFIX_LENGTH = 12;
const TOKEN_PATTERN = /^tbx_[A-Za-z0-9_-]{43}$/;
/** Writing lastUsedAt on every request would turn each API read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface TokenSummary {
  id: number;
  name: string;
  prefix: string;
  created: Date;
  lastUsedAt: Date | null;
}

export interface CreatedToken extends TokenSummary {
  /** The only time the plaintext exists outside the caller's hands: it is never stored. */
  token: string;
}

interface TokenRow {
  id: number;
  user_id: number;
  token_hash: string;
  last_used_at: unknown;
}

/** Personal API tokens: only an HMAC of each token is stored, keyed with the SALT. */
export function createTokenService(db: Database, salt: string, users: UserRecords) {
  const { ApiToken } = db.models;

  function hashToken(token: string): string {
    return createHmac('sha256', salt).update(token).digest('hex');
  }

  function summary(token: InstanceType<typeof ApiToken>): TokenSummary {
    return {
      id: token.id,
      name: token.name,
      prefix: token.tokenPrefix,
      created: token.created,
      lastUsedAt: token.lastUsedAt ?? null,
    };
  }

  return {

    async create(userId: number, name: string): Promise<CreatedToken> {
      const { name: tokenName } = validate(tokenNameSchema, { name });
      const token = TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
      const record = await ApiToken.create({
        userId,
        name: tokenName,
        tokenHash: hashToken(token),
        tokenPrefix: token.slice(0, DISPLAY_PREFIX_LENGTH),
      });
      return { ...summary(record), token };
    },

    async list(userId: number): Promise<TokenSummary[]> {
      const tokens = await ApiToken.findAll({ where: { userId }, order: [['created', 'DESC'], ['id', 'DESC']] });
      return tokens.map(summary);
    },

    async revoke(userId: number, tokenId: number): Promise<void> {
      const removed = await ApiToken.destroy({ where: { id: tokenId, userId } });
      if (removed === 0) throw new NotFoundError('Token');
    },

    /** The user a token belongs to, or null for an unknown token or a deleted or blocked user. */
    async authenticate(token: string): Promise<Express.User | null> {
      if (!TOKEN_PATTERN.test(token)) return null;
      const tokenHash = hashToken(token);
      const [record] = await db.sequelize.query<TokenRow>('SELECT id, user_id, token_hash, last_used_at FROM api_token WHERE token_hash = $1', {
        bind: [tokenHash],
        type: QueryTypes.SELECT,
      });
      // The lookup is by hash, so its timing reveals nothing about the token; the comparison guards against a
      // database whose collation would treat two different hashes as equal.
      if (!record || !timingSafeEqual(Buffer.from(record.token_hash), Buffer.from(tokenHash))) return null;
      const { user } = await users.find(Number(record.user_id));
      if (!user || user.isBlocked) return null;
      const now = new Date();
      const lastUsedAt = record.last_used_at === null ? null : timestampOf(record.last_used_at);
      if (!lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
        await ApiToken.update({ lastUsedAt: now }, { where: { id: Number(record.id) } });
      }
      return toSessionUser(user);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
