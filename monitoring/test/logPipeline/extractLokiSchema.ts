/**
 * Writes the key tree of Loki's configuration reference (docs/sources/shared/configuration.md of the
 * pinned release) as JSON, so the tests can check the shipped loki.yml without Loki:
 *
 *   git show v3.7.6:docs/sources/shared/configuration.md > configuration.md
 *   npx tsx monitoring/test/logPipeline/extractLokiSchema.ts configuration.md > monitoring/test/logPipeline/schemas/loki-3.7.6.json
 *
 * Each block maps a key to `true` (a value), to the name of a block (`[server: <server>]`), to a
 * one-element array naming the block of each list item (`[configs: <list of period_configs>]`), or
 * to an object (a block written inline).
 */
import fs from 'node:fs';
import type { LokiSchema, LokiSchemaNode } from './lokiSchema';

const ROOT_HEADING = '### Supported contents and default values of `loki.yaml`';

function yamlOf(section: string): string {
  return /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
}

function parseBlock(yaml: string, blockNames: Set<string>): LokiSchemaNode {
  const root: LokiSchemaNode = {};
  const stack: Array<{ indent: number; node: LokiSchemaNode }> = [{ indent: -1, node: root }];
  for (const line of yaml.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const indent = line.length - line.trimStart().length;
    while (stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1].node;
    const inline = /^\s*(\w+):\s*$/.exec(line);
    if (inline) {
      const node: LokiSchemaNode = {};
      parent[inline[1]] = node;
      stack.push({ indent, node });
      continue;
    }
    const optional = /^\s*\[(\w+):\s*<([^>]+)>/.exec(line);
    if (!optional) continue;
    const [, key, type] = optional;
    const list = /^list of (\w+?)s?$/.exec(type);
    if (list && blockNames.has(list[1])) parent[key] = [list[1]];
    else if (blockNames.has(type)) parent[key] = type;
    else parent[key] = true;
  }
  return root;
}

function extract(markdown: string): LokiSchema {
  const rootStart = markdown.indexOf(ROOT_HEADING);
  if (rootStart < 0) throw new Error(`No "${ROOT_HEADING}" section`);
  const sections = markdown.slice(rootStart).split(/^### /m).slice(1);
  const named = sections.slice(1).map((section) => ({ name: section.slice(0, section.indexOf('\n')).trim(), yaml: yamlOf(section) }));
  const blockNames = new Set(named.map(({ name }) => name));
  const blocks: Record<string, LokiSchemaNode> = { root: parseBlock(yamlOf(sections[0]), blockNames) };
  for (const { name, yaml } of named) blocks[name] = parseBlock(yaml, blockNames);
  return { blocks };
}

const [source] = process.argv.slice(2);
if (!source) throw new Error('Usage: extractLokiSchema.ts <configuration.md>');
process.stdout.write(`${JSON.stringify(extract(fs.readFileSync(source, 'utf8')), null, 1)}\n`);
