import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { parse } from 'yaml';
import { apiRoutes } from '../../src/api/routes';
import type { TokenService } from '../../src/tokens';
import type { TodoService } from '../../src/todos/types';

const SPEC_PATH = path.resolve(__dirname, '../../../docs/openapi.yaml');
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

interface OpenApiDocument {
  openapi: string;
  servers: Array<{ url: string }>;
  security: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, { operationId?: string; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
}

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** "METHOD /path" for every route a router registers, in OpenAPI's `{param}` notation. */
function registeredRoutes(router: Router): string[] {
  return (router.stack as RouteLayer[])
    .filter((layer) => layer.route)
    .flatMap(({ route }) =>
      Object.keys(route!.methods)
        // `.all()` answers every other method with 405: not an operation of the API.
        .filter((method) => route!.methods[method] && method !== '_all')
        .map((method) => `${method.toUpperCase()} ${route!.path.replace(/:(\w+)/g, '{$1}')}`),
    )
    .sort();
}

function documentedRoutes(spec: OpenApiDocument): string[] {
  return Object.entries(spec.paths)
    .flatMap(([routePath, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${routePath}`),
    )
    .sort();
}

/** Every `$ref` in the document, so each can be checked to point at something that exists. */
function references(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(references);
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : references(value)));
  }
  return [];
}

function resolve(spec: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), spec);
}

describe('docs/openapi.yaml', () => {
  const spec = parse(fs.readFileSync(SPEC_PATH, 'utf8')) as OpenApiDocument;
  const router = apiRoutes({} as TodoService, {} as TokenService);

  it('is an OpenAPI 3.0.3 document served under /api with a bearer security scheme', () => {
    expect(spec.openapi).toBe('3.0.3');
    expect(spec.servers).toEqual([{ url: '/api' }]);
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.security).toEqual([{ bearerAuth: [] }]);
  });

  it('documents every route the API router registers, and nothing else', () => {
    const registered = registeredRoutes(router);
    expect(registered.length).toBeGreaterThanOrEqual(5);
    expect(documentedRoutes(spec)).toEqual(registered);
  });

  it('notices a route that is registered but not documented', () => {
    const extended = apiRoutes({} as TodoService, {} as TokenService);
    extended.get('/todos/:id/attachments', (_req, res) => res.end());
    expect(registeredRoutes(extended)).not.toEqual(documentedRoutes(spec));
  });

  it('gives every operation an id and documents its 401 answer', () => {
    for (const [routePath, item] of Object.entries(spec.paths)) {
      for (const method of Object.keys(item).filter((key) => HTTP_METHODS.includes(key))) {
        expect({ route: `${method} ${routePath}`, operationId: item[method].operationId }).toMatchObject({
          operationId: expect.any(String),
        });
        expect({ route: `${method} ${routePath}`, responses: Object.keys(item[method].responses) }).toMatchObject({
          responses: expect.arrayContaining(['401']),
        });
      }
    }
  });

  it('has no reference that points nowhere', () => {
    const refs = references(spec);
    expect(refs.length).toBeGreaterThan(10);
    expect(refs.filter((ref) => resolve(spec, ref) === undefined)).toEqual([]);
  });
});
