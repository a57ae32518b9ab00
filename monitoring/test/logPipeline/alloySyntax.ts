/**
 * A parser for the part of Alloy's configuration syntax the kit's config.alloy uses: blocks with an
 * optional label, attributes, and expressions made of literals, arrays, objects, references and
 * function calls. Anything else (an operator, a stray token) is a syntax error, so a config that
 * needs more than this fails the tests instead of passing unchecked.
 */

export type AlloyExpression =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'array'; items: AlloyExpression[] }
  | { kind: 'object'; fields: Record<string, AlloyExpression> }
  | { kind: 'reference'; path: string }
  | { kind: 'call'; name: string; args: AlloyExpression[] };

export interface AlloyBlock {
  /** Dotted name: `loki.source.file`, `stage.json`, `endpoint`. */
  name: string;
  label?: string;
  attributes: Record<string, AlloyExpression>;
  blocks: AlloyBlock[];
  line: number;
}

type Token = { type: 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

const PUNCTUATION = new Set(['{', '}', '[', ']', '(', ')', '=', ',', '.']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let at = 0;
  while (at < source.length) {
    const rest = source.slice(at);
    const space = /^[ \t\r]+|^\/\/[^\n]*|^\/\*[\s\S]*?\*\//.exec(rest);
    if (space) {
      line += (space[0].match(/\n/g) ?? []).length;
      at += space[0].length;
      continue;
    }
    if (rest[0] === '\n') {
      line += 1;
      at += 1;
      continue;
    }
    const string = /^"(?:[^"\\\n]|\\.)*"/.exec(rest);
    const number = /^-?\d+(?:\.\d+)?/.exec(rest);
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (string) tokens.push({ type: 'string', text: JSON.parse(string[0]) as string, line });
    else if (number) tokens.push({ type: 'number', text: number[0], line });
    else if (ident) tokens.push({ type: 'ident', text: ident[0], line });
    else if (PUNCTUATION.has(rest[0])) tokens.push({ type: 'punct', text: rest[0], line });
    else throw new Error(`line ${line}: unexpected character ${JSON.stringify(rest[0])}`);
    at += string?.[0].length ?? number?.[0].length ?? ident?.[0].length ?? 1;
  }
  return tokens;
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  body(closing?: string): Omit<AlloyBlock, 'name' | 'line'> {
    const attributes: Record<string, AlloyExpression> = {};
    const blocks: AlloyBlock[] = [];
    while (this.peek() && !(closing && this.isPunct(closing))) {
      const start = this.expect('ident');
      if (this.isPunct('=')) {
        this.at += 1;
        if (start.text in attributes) throw new Error(`line ${start.line}: ${start.text} is set twice`);
        attributes[start.text] = this.expression();
        continue;
      }
      let name = start.text;
      while (this.isPunct('.')) {
        this.at += 1;
        name += `.${this.expect('ident').text}`;
      }
      const label = this.peek()?.type === 'string' ? this.expect('string').text : undefined;
      this.expectPunct('{');
      const inner = this.body('}');
      this.expectPunct('}');
      blocks.push({ name, ...(label !== undefined ? { label } : {}), ...inner, line: start.line });
    }
    return { attributes, blocks };
  }

  done(): void {
    const left = this.peek();
    if (left) throw new Error(`line ${left.line}: unexpected ${JSON.stringify(left.text)}`);
  }

  private expression(): AlloyExpression {
    const token = this.next();
    if (token.type === 'string') return { kind: 'string', value: token.text };
    if (token.type === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.type === 'punct' && token.text === '[') return { kind: 'array', items: this.list(']', () => this.expression()) };
    if (token.type === 'punct' && token.text === '{') {
      const fields: Record<string, AlloyExpression> = {};
      this.list('}', () => {
        const key = this.next();
        if (key.type !== 'ident' && key.type !== 'string') throw new Error(`line ${key.line}: an object key, not ${JSON.stringify(key.text)}`);
        this.expectPunct('=');
        fields[key.text] = this.expression();
      });
      return { kind: 'object', fields };
    }
    if (token.type !== 'ident') throw new Error(`line ${token.line}: an expression, not ${JSON.stringify(token.text)}`);
    if (token.text === 'true' || token.text === 'false') return { kind: 'bool', value: token.text === 'true' };
    if (token.text === 'null') return { kind: 'null' };
    let path = token.text;
    while (this.isPunct('.')) {
      this.at += 1;
      path += `.${this.expect('ident').text}`;
    }
    if (!this.isPunct('(')) return { kind: 'reference', path };
    this.at += 1;
    return { kind: 'call', name: path, args: this.list(')', () => this.expression()) };
  }

  /** Comma-separated items up to `closing` (a trailing comma allowed), consuming the closing token. */
  private list<T>(closing: string, item: () => T): T[] {
    const items: T[] = [];
    while (!this.isPunct(closing)) {
      items.push(item());
      if (this.isPunct(',')) this.at += 1;
      else if (!this.isPunct(closing)) throw new Error(`line ${this.peek()?.line ?? 'end'}: expected "," or "${closing}"`);
    }
    this.at += 1;
    return items;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at];
    if (!token) throw new Error('unexpected end of the file');
    this.at += 1;
    return token;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token?.type === 'punct' && token.text === text;
  }

  private expect(type: Token['type']): Token {
    const token = this.next();
    if (token.type !== type) throw new Error(`line ${token.line}: expected ${type}, found ${JSON.stringify(token.text)}`);
    return token;
  }

  private expectPunct(text: string): void {
    const token = this.next();
    if (token.type !== 'punct' || token.text !== text) throw new Error(`line ${token.line}: expected "${text}", found ${JSON.stringify(token.text)}`);
  }
}

/** The top-level blocks (components) of an Alloy configuration file. */
export function parseAlloy(source: string): AlloyBlock[] {
  const parser = new Parser(tokenize(source));
  const { attributes, blocks } = parser.body();
  parser.done();
  const stray = Object.keys(attributes);
  if (stray.length > 0) throw new Error(`attributes outside any component: ${stray.join(', ')}`);
  return blocks;
}

/** Every expression inside `expression`, itself included, depth first. */
export function subexpressions(expression: AlloyExpression): AlloyExpression[] {
  const children =
    expression.kind === 'array' ? expression.items
    : expression.kind === 'object' ? Object.values(expression.fields)
    : expression.kind === 'call' ? expression.args
    : [];
  return [expression, ...children.flatMap(subexpressions)];
}
