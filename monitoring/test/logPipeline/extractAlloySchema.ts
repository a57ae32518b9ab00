/**
 * Writes, as JSON, what the reference pages of the pinned Alloy release allow for the components the
 * shipped config.alloy uses, and the standard library's names, so the tests can check it without Alloy:
 *
 *   git archive v1.18.1 docs/sources/reference | tar -x -C alloy-docs
 *   npx tsx monitoring/test/logPipeline/extractAlloySchema.ts alloy-docs/docs/sources/reference \
 *     local.file_match loki.source.file loki.process loki.write > monitoring/test/logPipeline/schemas/alloy-1.18.1.json
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AlloyComponentSchema, AlloySchema } from './alloySchema';

type Arguments = AlloyComponentSchema['arguments'];

/** The rows of the first Markdown table in `text`: first cell (without backticks and links) and the Required column. */
function tableRows(text: string, firstHeader: string): Array<{ name: string; required: boolean }> {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => new RegExp(`^\\|\\s*${firstHeader}\\s*\\|`).test(line));
  if (header < 0) return [];
  const columns = lines[header].split('|').map((cell) => cell.trim());
  const requiredColumn = columns.indexOf('Required');
  const rows: Array<{ name: string; required: boolean }> = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((cell) => cell.trim());
    const name = cells[1].replace(/\]\[[^\]]*\]/g, '').replace(/[`[\]]/g, '').replace(/\s*>\s*/g, '.').trim();
    rows.push({ name, required: cells[requiredColumn] === 'yes' });
  }
  return rows;
}

function toArguments(rows: Array<{ name: string; required: boolean }>): Arguments {
  return Object.fromEntries(rows.map(({ name, required }) => [name, { required }]));
}

/** The text under each `### `name`` or `#### `name`` heading, up to the next heading. */
function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of markdown.split(/^(?=#{2,5} )/m)) {
    const heading = /^#{3,5} `([\w.]+)`/.exec(part);
    if (heading && !found.has(heading[1])) found.set(heading[1], part);
  }
  return found;
}

function component(markdown: string): AlloyComponentSchema {
  const section = (title: string) => markdown.split(/^(?=## )/m).find((part) => part.startsWith(`## ${title}`)) ?? '';
  const bySection = sections(markdown);
  const blocks: AlloyComponentSchema['blocks'] = {};
  // The full name first: the heading "`metrics` behavior" is not the section of stage.metrics.
  const ownSection = (name: string) => bySection.get(name) ?? bySection.get(name.split('.').pop() as string) ?? '';
  for (const { name, required } of tableRows(section('Blocks'), '(?:Block|Name)')) {
    const own = ownSection(name);
    blocks[name] = { required, arguments: toArguments(tableRows(own, 'Name')) };
    // A block whose own section lists blocks of its own (stage.metrics: metric.counter, metric.histogram).
    for (const inner of tableRows(own, 'Block')) {
      const innerPath = `${name}.${inner.name}`;
      blocks[innerPath] ??= { required: inner.required, arguments: toArguments(tableRows(bySection.get(inner.name) ?? '', 'Name')) };
    }
  }
  const exports = tableRows(section('Exported fields'), 'Name').map(({ name }) => name);
  return { arguments: toArguments(tableRows(section('Arguments'), 'Name')), blocks, exports };
}

function stdlib(folder: string): string[] {
  const names = new Set<string>();
  for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.md') && name !== '_index.md')) {
    const text = fs.readFileSync(path.join(folder, file), 'utf8');
    for (const match of text.matchAll(/^#{1,2} `?([\w.]+)`?\s*$/gm)) if (!/^Examples?$/.test(match[1])) names.add(match[1]);
    for (const match of text.matchAll(/^\* `([\w.]+)`:/gm)) names.add(match[1]);
  }
  // A namespace's page is titled with the namespace (`encoding`): keep only the names it holds.
  return [...names].filter((name) => ![...names].some((other) => other.startsWith(`${name}.`))).sort();
}

/** The flags of `alloy run`, as its reference lists them (`* `--storage.path`: ...`). */
function runFlags(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/^\* `(--[\w.-]+)/gm)].map((match) => match[1]))].sort();
}

const [reference, ...names] = process.argv.slice(2);
if (!reference || names.length === 0) throw new Error('Usage: extractAlloySchema.ts <docs/sources/reference> <component>...');
const schema: AlloySchema = {
  components: Object.fromEntries(
    names.map((name) => [name, component(fs.readFileSync(path.join(reference, 'components', name.split('.')[0], `${name}.md`), 'utf8'))]),
  ),
  stdlib: stdlib(path.join(reference, 'stdlib')),
  runFlags: runFlags(fs.readFileSync(path.join(reference, 'cli/run.md'), 'utf8')),
};
process.stdout.write(`${JSON.stringify(schema, null, 1)}\n`);
