import type { AlloySchema } from './alloySchema';
import { type AlloyBlock, type AlloyExpression, subexpressions } from './alloySyntax';

/** Labels loki.source.file adds to every line it reads, besides the target's own. */
const FILE_SOURCE_LABELS = ['filename'];

function componentId(block: AlloyBlock): string {
  return `${block.name}.${block.label ?? ''}`;
}

function expressionsOf(block: AlloyBlock): AlloyExpression[] {
  return [...Object.values(block.attributes), ...block.blocks.flatMap(expressionsOf)];
}

/** Arguments and blocks the pinned release's reference does not list, and required ones left out. */
export function schemaProblems(components: AlloyBlock[], schema: AlloySchema): string[] {
  return components.flatMap((component) => {
    const known = schema.components[component.name];
    const where = `${component.name} "${component.label ?? ''}" (line ${component.line})`;
    if (!known) return [`${where}: no such component in the schema`];
    if (component.label === undefined) return [`${where}: a component needs a label`];
    const argumentProblems = (args: Record<string, { required: boolean }>, given: AlloyBlock, at: string) => [
      ...Object.keys(given.attributes).filter((name) => !(name in args)).map((name) => `${at}: unknown argument ${name}`),
      ...Object.entries(args).filter(([name, { required }]) => required && !(name in given.attributes)).map(([name]) => `${at}: missing required argument ${name}`),
    ];
    const blockProblems = (given: AlloyBlock, prefix: string): string[] =>
      given.blocks.flatMap((inner) => {
        const blockPath = prefix ? `${prefix}.${inner.name}` : inner.name;
        const blockSchema = known.blocks[blockPath];
        const at = `${where} ${blockPath} (line ${inner.line})`;
        if (!blockSchema) return [`${at}: unknown block`];
        return [...argumentProblems(blockSchema.arguments, inner, at), ...blockProblems(inner, blockPath)];
      });
    const missingBlocks = Object.entries(known.blocks)
      .filter(([blockPath, { required }]) => required && !blockPath.includes('.') && !component.blocks.some((inner) => inner.name === blockPath))
      .map(([blockPath]) => `${where}: missing required block ${blockPath}`);
    return [...argumentProblems(known.arguments, component, where), ...blockProblems(component, ''), ...missingBlocks];
  });
}

/**
 * References that lead nowhere: an export of a component that is not defined (or does not export
 * it), a function or constant the standard library lacks.
 */
export function referenceProblems(components: AlloyBlock[], schema: AlloySchema): string[] {
  const defined = new Map(components.map((component) => [componentId(component), component.name]));
  const problems: string[] = [];
  for (const expression of components.flatMap(expressionsOf).flatMap(subexpressions)) {
    if (expression.kind === 'call' && !schema.stdlib.includes(expression.name)) problems.push(`unknown function ${expression.name}`);
    if (expression.kind !== 'reference') continue;
    if (schema.stdlib.includes(expression.path)) continue;
    const parts = expression.path.split('.');
    const exported = parts.pop() as string;
    const id = parts.join('.');
    const name = defined.get(id);
    if (!name) problems.push(`${expression.path}: no component ${id}`);
    else if (!schema.components[name].exports.includes(exported)) problems.push(`${expression.path}: ${name} exports no ${exported}`);
  }
  return problems;
}

function receiversOf(component: AlloyBlock): string[] {
  const forwardTo = component.attributes.forward_to;
  if (forwardTo?.kind !== 'array') return [];
  return forwardTo.items.flatMap((item) => (item.kind === 'reference' ? [item.path.replace(/\.receiver$/, '')] : []));
}

/** Whether the lines a component receives reach a loki.write through the forward_to chain. */
function reachesLoki(byId: Map<string, AlloyBlock>, id: string, seen: Set<string> = new Set()): boolean {
  const component = byId.get(id);
  if (!component || seen.has(id)) return false;
  if (component.name === 'loki.write') return true;
  return receiversOf(component).some((next) => reachesLoki(byId, next, new Set([...seen, id])));
}

function byComponentId(components: AlloyBlock[]): Map<string, AlloyBlock> {
  return new Map(components.map((component) => [componentId(component), component]));
}

/** For each file source, whether the lines it reads reach a loki.write through the forward_to chain. */
export function sourcesReachingLoki(components: AlloyBlock[]): Record<string, boolean> {
  const byId = byComponentId(components);
  return Object.fromEntries(components.filter((component) => component.name === 'loki.source.file').map((source) => [componentId(source), reachesLoki(byId, componentId(source))]));
}

function stringKeys(expression: AlloyExpression | undefined): string[] {
  return expression?.kind === 'object' ? Object.keys(expression.fields) : [];
}

/**
 * The labels of the streams the pipeline writes to Loki: the targets' labels, the file source's, and
 * those stage.labels sets, in the components whose lines reach a loki.write (a pipeline that only
 * counts, like the edge SLI's, stores no stream).
 */
export function streamLabels(components: AlloyBlock[]): string[] {
  const labels = new Set<string>(FILE_SOURCE_LABELS);
  const byId = byComponentId(components);
  const stored = components.filter((component) => reachesLoki(byId, componentId(component)));
  const storedTargets = new Set(stored.flatMap((source) => (source.attributes.targets?.kind === 'reference' ? [source.attributes.targets.path.replace(/\.targets$/, '')] : [])));
  for (const component of components.filter((candidate) => stored.includes(candidate) || storedTargets.has(componentId(candidate)))) {
    if (component.name === 'local.file_match') {
      const targets = component.attributes.path_targets;
      const items = targets?.kind === 'array' ? targets.items : [];
      for (const key of items.flatMap(stringKeys)) if (!key.startsWith('__')) labels.add(key);
    }
    if (component.name === 'loki.process') {
      for (const stage of component.blocks.filter((block) => block.name === 'stage.labels' || block.name === 'stage.static_labels')) {
        for (const key of stringKeys(stage.attributes.values)) labels.add(key);
      }
    }
  }
  return [...labels].sort();
}

/** The default value of `coalesce(sys.env("NAME"), "default")` given to an argument, if it is written so. */
export function environmentDefault(expression: AlloyExpression | undefined): { variable: string; fallback: string } | undefined {
  if (expression?.kind !== 'call' || expression.name !== 'coalesce' || expression.args.length !== 2) return undefined;
  const [fromEnv, fallback] = expression.args;
  if (fromEnv.kind !== 'call' || fromEnv.name !== 'sys.env' || fromEnv.args[0]?.kind !== 'string' || fallback.kind !== 'string') return undefined;
  return { variable: fromEnv.args[0].value, fallback: fallback.value };
}
