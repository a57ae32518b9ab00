import { renderMarkdown } from '../../src/todos/markdown';

const XSS_VECTORS: Array<[string, string]> = [
  ['script tag', '<script>alert(1)</script>'],
  ['script tag in upper case', '<SCRIPT>alert(1)</SCRIPT>'],
  ['script tag in mixed case with src', '<ScRiPt src="https://evil.example/x.js"></sCrIpT>'],
  ['script tag split by a null byte', '<scr\u0000ipt>alert(1)</script>'],
  ['script tag with a slash instead of a space', '<script/src="data:text/javascript,alert(1)"></script>'],
  ['unclosed script tag', '<script src=//evil.example/x.js'],
  ['nested script tags', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
  ['script inside a code span boundary', '`x` <script>alert(1)</script> `y`'],
  ['markdown link to javascript:', '[click](javascript:alert(1))'],
  ['markdown link to JavaScript: in mixed case', '[click](JaVaScRiPt:alert(1))'],
  ['markdown link with an entity-encoded scheme', '[click](&#106;avascript:alert(1))'],
  ['markdown link with a percent-encoded scheme', '[click](%6Aavascript:alert(1))'],
  ['markdown reference link to javascript:', '[click][x]\n\n[x]: javascript:alert(1)'],
  ['markdown autolink to javascript:', '<javascript:alert(1)>'],
  ['markdown image to javascript:', '![x](javascript:alert(1))'],
  ['markdown image with onerror in the title', '![x](https://example.com/x.png "\\" onerror=\\"alert(1))'],
  ['markdown link to data: HTML', '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['markdown link to vbscript:', '[click](vbscript:msgbox(1))'],
  ['anchor with a tab inside javascript:', '<a href="jav\tascript:alert(1)">x</a>'],
  ['anchor with an encoded tab inside javascript:', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['anchor with an encoded newline inside javascript:', '<a href="java&#10;script:alert(1)">x</a>'],
  ['anchor with decimal entities for javascript:', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
  ['anchor with hex entities without semicolons', '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>'],
  ['anchor with leading spaces and control characters', '<a href=" \u0001 javascript:alert(1)">x</a>'],
  ['anchor to data: with HTML', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
  ['anchor to vbscript: in upper case', '<a href="VBSCRIPT:msgbox(1)">x</a>'],
  ['anchor with an onclick handler', '<a href="https://example.com" onclick="alert(1)">x</a>'],
  ['protocol-relative anchor', '<a href="//evil.example/">x</a>'],
  ['backslash protocol-relative anchor', '<a href="\\\\evil.example/">x</a>'],
  ['img with onerror', '<img src=x onerror=alert(1)>'],
  ['img with onerror and no quotes or spaces', '<img/src=x/onerror=alert(1)>'],
  ['paragraph with onmouseover', '<p onmouseover="alert(1)">hover</p>'],
  ['body with onload', '<body onload=alert(1)>'],
  ['svg with onload', '<svg onload=alert(1)>'],
  ['svg with a script inside', '<svg><script>alert(1)</script></svg>'],
  ['svg animate setting a javascript: href', '<svg><a><animate attributeName=href values=javascript:alert(1) /><text y=20>x</text></a></svg>'],
  ['math element with a javascript: href', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'],
  ['iframe with a javascript: source', '<iframe src="javascript:alert(1)"></iframe>'],
  ['iframe with srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object with data:', '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>'],
  ['embed with a javascript: source', '<embed src="javascript:alert(1)">'],
  ['style tag with an expression', '<style>body{background:url("javascript:alert(1)")}</style>'],
  ['style attribute with an expression', '<p style="background:url(javascript:alert(1));width:expression(alert(1))">x</p>'],
  ['meta refresh to javascript:', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['link to a style sheet', '<link rel="stylesheet" href="https://evil.example/x.css">'],
  ['base element', '<base href="https://evil.example/">'],
  ['form with a javascript: action', '<form action="javascript:alert(1)"><input type="submit"></form>'],
  ['input with autofocus and onfocus', '<input autofocus onfocus=alert(1)>'],
  ['button with formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['details with ontoggle', '<details open ontoggle=alert(1)>'],
  ['HTML comment hiding a script', '<!--<script>alert(1)</script>-->'],
  ['comment closed early around an img', '<!-- --!><img src=x onerror=alert(1)> -->'],
  ['conditional comment', '<!--[if gte IE 4]><script>alert(1)</script><![endif]-->'],
  ['CDATA section with a script', '<![CDATA[<script>alert(1)</script>]]>'],
  ['mXSS through noscript', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['mXSS through a textarea', '<textarea><p title="</textarea><img src=x onerror=alert(1)>">'],
  ['mXSS through an svg style element', '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">'],
  ['mXSS through a table', '<table><td><form><math><mtext><style><img src=x onerror=alert(1)>'],
  ['template element with a script', '<template><script>alert(1)</script></template>'],
  ['attribute broken out of with quotes', '<a href="https://example.com" title="x" onfocus="alert(1)" autofocus>x</a>'],
  ['table cell with an event handler', '| a |\n|---|\n| <td onclick=alert(1)>x</td> |'],
  ['heading with an event handler', '<h1 onclick="alert(1)">Title</h1>'],
];

/** Every start tag in the output, with its attributes. */
function startTags(html: string): Array<{ name: string; attributes: string }> {
  return [...html.matchAll(/<([a-zA-Z][\w:-]*)([^>]*)>/g)].map((match) => ({ name: match[1].toLowerCase(), attributes: match[2] }));
}

const ALLOWED_TAGS = new Set([
  'p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 'ul', 'ol', 'li',
  'code', 'pre', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'hr',
]);

describe('renderMarkdown against XSS', () => {
  it('has a corpus of at least 35 vectors', () => {
    expect(XSS_VECTORS.length).toBeGreaterThanOrEqual(35);
  });

  it.each(XSS_VECTORS)('neutralises %s', (_name, source) => {
    const html = renderMarkdown(source);
    expect(html).not.toMatch(/<\s*script/i);
    expect(html).not.toMatch(/<\s*\/?\s*(iframe|svg|math|style|object|embed|form|input|button|meta|link|base|img|body|template|textarea|noscript|details)\b/i);
    for (const tag of startTags(html)) {
      expect(ALLOWED_TAGS.has(tag.name)).toBe(true);
      expect(tag.attributes).not.toMatch(/(^|[\s"'/])on[a-z]+\s*=/i);
      expect(tag.attributes).not.toMatch(/\b(style|src|srcdoc|action|formaction|xlink:href)\s*=/i);
      const href = /\bhref="([^"]*)"/.exec(tag.attributes)?.[1];
      if (href !== undefined) {
        expect(href).toMatch(/^(https?:|mailto:|\/(?![/\\])|#|\?)/i);
        expect(href.replace(/&#?\w+;|[\s\u0000-\u001f]/g, '')).not.toMatch(/(javascript|data|vbscript):/i);
      }
    }
  });
});

describe('renderMarkdown of ordinary Markdown', () => {
  it('renders headings, emphasis and strikethrough', () => {
    const html = renderMarkdown('# Title\n\n### Smaller\n\n**bold**, _italic_ and ~~gone~~');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<h3>Smaller</h3>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>italic</em>');
    expect(html).toContain('<del>gone</del>');
  });

  it('renders ordered and unordered lists', () => {
    const html = renderMarkdown('- one\n- two\n\n1. first\n2. second');
    expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
    expect(html).toMatch(/<ol>\s*<li>first<\/li>\s*<li>second<\/li>\s*<\/ol>/);
  });

  it('renders inline code and fenced code blocks, escaping the HTML inside', () => {
    const html = renderMarkdown('Use `npm test`.\n\n```ts\nconst a = "<b>";\n```');
    expect(html).toContain('<code>npm test</code>');
    expect(html).toMatch(/<pre><code>const a = "&lt;b&gt;";\s*<\/code><\/pre>/);
  });

  it('renders blockquotes and horizontal rules', () => {
    const html = renderMarkdown('> quoted\n\n---');
    expect(html).toMatch(/<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
    expect(html).toContain('<hr />');
  });

  it('renders GFM tables, keeping only the alignment attribute', () => {
    const html = renderMarkdown('| Left | Right |\n|:-----|------:|\n| a | b |');
    expect(html).toContain('<table>');
    expect(html).toContain('<th align="left">Left</th>');
    expect(html).toContain('<td align="right">b</td>');
  });

  it('renders http, https and mailto links with rel="nofollow noopener noreferrer"', () => {
    const html = renderMarkdown('[a](https://example.com/x?y=1) [b](http://example.org) [c](mailto:me@example.com) https://auto.example');
    expect(html).toContain('<a href="https://example.com/x?y=1" rel="nofollow noopener noreferrer">a</a>');
    expect(html).toContain('<a href="http://example.org" rel="nofollow noopener noreferrer">b</a>');
    expect(html).toContain('<a href="mailto:me@example.com" rel="nofollow noopener noreferrer">c</a>');
    expect(html).toContain('<a href="https://auto.example" rel="nofollow noopener noreferrer">https://auto.example</a>');
  });

  it('replaces a rel or target given by the author', () => {
    const html = renderMarkdown('<a href="https://example.com" rel="opener" target="_blank">x</a>');
    expect(html).toBe('<p><a href="https://example.com" rel="nofollow noopener noreferrer">x</a></p>');
  });

  it('keeps links within the site but drops ones with other schemes', () => {
    expect(renderMarkdown('[home](/todos/today)')).toContain('href="/todos/today"');
    expect(renderMarkdown('[x](ftp://example.com/file)')).toBe('<p><a rel="nofollow noopener noreferrer">x</a></p>');
  });

  it('keeps the text of disallowed formatting tags but not the tags', () => {
    expect(renderMarkdown('<div class="x"><span>kept text</span></div>')).toBe('kept text');
  });

  it('renders empty source as an empty string', () => {
    expect(renderMarkdown('')).toBe('');
  });
});
