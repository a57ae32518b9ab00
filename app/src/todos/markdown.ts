import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const LINK_REL = 'nofollow noopener noreferrer';

const markdown = new Marked({ gfm: true, async: false });

/**
 * Links may use http, https or mailto, or stay on this site (`/path`, `#anchor`). A leading
 * `//` or `/\` would leave the site, so it is refused along with every other scheme.
 */
function isSafeHref(href: string): boolean {
  // Browsers drop control characters and whitespace inside a URL before reading its scheme.
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]+/g, '');
  if (/^(https?|mailto):/i.test(compact)) return true;
  if (compact.startsWith('#') || compact.startsWith('?')) return true;
  return /^\/(?![/\\])/.test(compact) && !compact.includes(':');
}

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'ul', 'ol', 'li',
    'code', 'pre', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'hr',
  ],
  allowedAttributes: { a: ['href', 'rel'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const safe: sanitizeHtml.Attributes = {};
      if (attribs.href !== undefined && isSafeHref(attribs.href)) safe.href = attribs.href;
      return { tagName, attribs: { ...safe, rel: LINK_REL } };
    },
    th: (tagName, attribs) => ({ tagName, attribs: alignOnly(attribs) }),
    td: (tagName, attribs) => ({ tagName, attribs: alignOnly(attribs) }),
  },
};

function alignOnly(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  return ['left', 'center', 'right'].includes(attribs.align) ? { align: attribs.align } : {};
}

/** Markdown (GitHub flavour) to HTML that keeps only the allow-listed, harmless markup. */
export function renderMarkdown(source: string): string {
  const html = markdown.parse(source) as string;
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}
