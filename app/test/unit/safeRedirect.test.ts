import { safeRedirectPath } from '../../src/auth/safeRedirect';

describe('safeRedirectPath', () => {
  it.each([
    ['/', '/'],
    ['/todos/today', '/todos/today'],
    ['/todos?search=a%20b&page=2', '/todos?search=a%20b&page=2'],
    ['/todos?next=//evil.example', '/todos?next=//evil.example'],
    ['/todos/./today', '/todos/today'],
    ['/admin/users/../../todos', '/todos'],
    ['/%2f%2fevil.example', '/%2f%2fevil.example'],
    ['/todos#section', '/todos'],
  ])('keeps the local path %j as %j', (target, expected) => {
    expect(safeRedirectPath(target)).toBe(expected);
  });

  it.each([
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    '/.//evil.example',
    '/./\\evil.example',
    '/%2e//evil.example',
    '/%2E//evil.example',
    '/%2e%2e//evil.example',
    '/..//evil.example',
    '/a/..//evil.example',
    '/a/b/../..//evil.example',
    '/admin/..//evil.example/path?x=1',
    '/.%2e//evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\u007f/evil.example',
    'https://evil.example/',
    'http:evil.example',
    'javascript:alert(1)',
    'evil.example',
    ' /todos',
    '',
    `/${'a'.repeat(2048)}`,
  ])('sends %j to /', (target) => {
    expect(safeRedirectPath(target)).toBe('/');
  });

  it.each([undefined, null, 42, ['/todos'], { path: '/todos' }])('sends the non-string %j to /', (target) => {
    expect(safeRedirectPath(target)).toBe('/');
  });
});
