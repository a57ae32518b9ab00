/** The fenced code blocks of a Markdown page, with the words of their info string. */
export interface FencedBlock {
  language: string;
  /** The words after the language: for shell blocks `tested`, or `production` and why. */
  marks: string[];
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export const SHELL_LANGUAGES = ['bash', 'sh', 'shell', 'console'];

/** How a runbook's shell block is run: by the runbook tests on a scratch deployment, or only on a production host. */
export type ShellMark = 'tested' | 'production';

const FENCE = /^[ \t]*```([\w-]+)([^\n]*)\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;

export function fencedBlocks(markdown: string, language?: string): FencedBlock[] {
  return [...markdown.matchAll(FENCE)]
    .map((match) => ({
      language: match[1],
      marks: match[2].trim().split(/\s+/).filter(Boolean),
      body: dedent(match[3]),
      line: markdown.slice(0, match.index).split('\n').length,
    }))
    .filter((block) => language === undefined || block.language === language);
}

export function shellBlocks(markdown: string): FencedBlock[] {
  return fencedBlocks(markdown).filter((block) => SHELL_LANGUAGES.includes(block.language));
}

/** The block's mark, or undefined when its info string names neither. */
export function shellMark(block: FencedBlock): ShellMark | undefined {
  const first = block.marks[0];
  return first === 'tested' || first === 'production' ? first : undefined;
}

/** A block inside a list item is indented with it; the shell sees it without the indentation. */
function dedent(body: string): string {
  const lines = body.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)![0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((line) => line.slice(common)).join('\n');
}
