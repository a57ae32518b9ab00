/** A block of Loki's configuration reference: each key holds a value, names a block, a list of a block, or an inline block. */
export interface LokiSchemaNode {
  [key: string]: true | string | [string] | LokiSchemaNode;
}

export interface LokiSchema {
  blocks: Record<string, LokiSchemaNode>;
}

/** Every key of `config` the schema does not know, as a dotted path (`limits_config.retention_perod`). */
export function unknownLokiKeys(config: unknown, schema: LokiSchema, node: LokiSchemaNode = schema.blocks.root, at = ''): string[] {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return [];
  return Object.entries(config).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    const entry = node[key];
    if (entry === undefined) return [path];
    if (entry === true) return [];
    if (typeof entry === 'string') return unknownLokiKeys(value, schema, blockOf(schema, entry), path);
    if (Array.isArray(entry)) {
      const items: unknown[] = Array.isArray(value) ? value : [];
      return items.flatMap((item, index) => unknownLokiKeys(item, schema, blockOf(schema, entry[0]), `${path}[${index}]`));
    }
    return unknownLokiKeys(value, schema, entry, path);
  });
}

function blockOf(schema: LokiSchema, name: string): LokiSchemaNode {
  const block = schema.blocks[name];
  if (!block) throw new Error(`The Loki schema has no block ${name}`);
  return block;
}
