import type { IncomingMessage } from 'node:http';

const UNREAD_ENCODING = 'The request body is in an encoding or character set this server does not read';

/** body-parser's refusals (http-errors it marks `expose`): what went wrong, in words a client can act on. */
const REFUSALS: Record<string, string> = {
  'entity.too.large': 'The request body is too large',
  'parameters.too.many': 'The form has too many fields',
  'entity.parse.failed': 'The request body is not valid JSON (an object or an array)',
  'encoding.unsupported': UNREAD_ENCODING,
  'charset.unsupported': UNREAD_ENCODING,
  'form.malformed': 'The form holds a malformed percent-encoding',
};

interface BodyParserError {
  status: number;
  expose: true;
  type?: string;
  code?: string;
}

export function isBodyRefusal(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | undefined;
  return typeof candidate?.status === 'number' && candidate.status >= 400 && candidate.status < 500 && candidate.expose === true;
}

export function bodyRefusalMessage(error: BodyParserError): string {
  // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR...): the body is not what its Content-Encoding says.
  if (error.code?.startsWith('Z_') || error.code?.startsWith('ERR__')) return 'The request body is not compressed as its Content-Encoding says';
  return REFUSALS[error.type ?? ''] ?? 'The request body could not be read';
}

/**
 * For express.urlencoded's `verify`: a field the browser did not encode (`title=%ZZ`, `%E0%A4`) would
 * otherwise be stored as typed, percent signs and all, where a malformed address gets a 400.
 */
export function refuseMalformedForms(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  for (const field of body.toString('latin1').split('&')) {
    try {
      decodeURIComponent(field.replace(/\+/g, ' '));
    } catch {
      throw Object.assign(new Error('malformed percent-encoding in the form body'), { status: 400, expose: true, type: 'form.malformed' });
    }
  }
}
