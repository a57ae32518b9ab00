import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, Browser, BrowserContext, Page, Response } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { createTestApp, PASSWORD, TestApp } from '../helpers/testApp';
import { describeWithService } from '../helpers/requiredService';

jest.setTimeout(120000);

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT_DIR = path.resolve(__dirname, '../../../test-artifacts/screenshots');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const LIST_PAGES = ['/todos/today', '/todos/tomorrow', '/todos/upcoming', '/todos/undone', '/todos/done', '/todos/kiv'];

const ADMIN = { name: 'Ada Lovelace', email: 'ada@example.com' };
const MARKDOWN = '**bold** and a [link](https://example.com)\n\n- first\n- second';
const TITLE = 'Write the quarterly report';
const EDITED_TITLE = 'Write and send the quarterly report';

describeWithService(`Chromium (${CHROMIUM})`, fs.existsSync(CHROMIUM), 'browser flows in Chromium', () => {
  let t: TestApp;
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let todoPath = '';
  const consoleErrors: string[] = [];
  /** Accessibility and console findings; collected so that one finding does not stop the flow. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    t = await createTestApp();
    server = t.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ baseURL: baseUrl, viewport: DESKTOP, reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(10000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${page.url()}: uncaught ${error.message}`));
  });

  afterEach(() => {
    const found = pageProblems.splice(0);
    expect(found.join('\n\n')).toBe('');
  });

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await t?.close();
  });

  async function open(pagePath: string, expectedStatus = 200): Promise<Response> {
    const response = await page.goto(pagePath);
    expect(response).not.toBeNull();
    expect({ path: pagePath, status: response!.status() }).toEqual({ path: pagePath, status: expectedStatus });
    return response!;
  }

  /**
   * Screenshot, axe and console checks for the page on screen, reported after the test.
   * `allowedErrors` lists console messages the page is expected to cause (the browser reports a
   * document answered with 404 or 422 as a failed resource).
   */
  async function checkPage(name: string, allowedErrors: RegExp[] = []): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

    const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const report = serious
      .map(
        (v) =>
          `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
          v.nodes.map((node) => `    ${node.target.join(' ')}\n      ${node.failureSummary?.replace(/\n/g, '\n      ')}`).join('\n'),
      )
      .join('\n');
    if (serious.length > 0) pageProblems.push(`${name}: ${serious.length} serious or critical axe violations\n${report}`);

    const unexpected = consoleErrors.filter((message) => !allowedErrors.some((allowed) => allowed.test(message)));
    consoleErrors.length = 0;
    if (unexpected.length > 0) pageProblems.push(`${name}: console errors\n    ${unexpected.join('\n    ')}`);
  }

  async function submitForm(formSelector: string, buttonName?: string | RegExp): Promise<void> {
    const form = page.locator(formSelector).first();
    const button = buttonName
      ? form.getByRole('button', { name: buttonName })
      : form.locator('button[type="submit"], input[type="submit"]').first();
    await Promise.all([page.waitForNavigation(), button.click()]);
  }

  /** How far the page sticks out to the right of the viewport, and which elements do it. */
  async function horizontalOverflow(): Promise<{ overflowPx: number; widest: string[] }> {
    // A string, because this project compiles without DOM types; it runs in the page.
    return page.evaluate<{ overflowPx: number; widest: string[] }>(`(() => {
      const viewport = document.documentElement.clientWidth;
      const overflowPx = Math.max(0, document.documentElement.scrollWidth - viewport);
      const widest = overflowPx === 0 ? [] : Array.from(document.querySelectorAll('body *'))
        .filter((element) => element.getBoundingClientRect().right > viewport + 1)
        .slice(0, 5)
        .map((element) => element.tagName.toLowerCase() + (element.classList.length ? '.' + [...element.classList].join('.') : ''));
      return { overflowPx, widest };
    })()`);
  }

  async function createTodoThroughForm(title: string, details: string): Promise<void> {
    await open('/todos/new');
    await page.fill('input[name="title"]', title);
    await page.fill('textarea[name="details"]', details);
    await submitForm('form[action="/todos"]');
  }

  it('first-run setup creates the administrator account', async () => {
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/setup');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Set up TodoBox');
    await checkPage('setup');

    await page.fill('#name', ADMIN.name);
    await page.fill('#email', ADMIN.email);
    await page.fill('#password', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    await submitForm('form[action="/setup"]', 'Create administrator');

    expect(new URL(page.url()).pathname).toBe('/login');
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('administrator account is ready');
    expect(await t.services.users.count()).toBe(1);
  });

  it('logs in with the new account and lands on the dashboard', async () => {
    await open('/login');
    await checkPage('login');

    await page.keyboard.press('Tab');
    const skipLink = page.locator('.skip-link');
    await expect(skipLink.evaluate((element) => element === element.ownerDocument.activeElement)).resolves.toBe(true);
    const skipBox = await skipLink.boundingBox();
    expect(skipBox && skipBox.y >= 0 && skipBox.height > 0).toBe(true);

    const password = page.locator('#password');
    await page.getByRole('button', { name: 'Show password' }).click();
    await expect(password.getAttribute('type')).resolves.toBe('text');
    await page.getByRole('button', { name: 'Hide password' }).click();
    await expect(password.getAttribute('type')).resolves.toBe('password');

    await page.fill('#email', ADMIN.email);
    await page.fill('#password', PASSWORD);
    await submitForm('form[action="/login"]', 'Log in');

    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Dashboard');
    await expect(page.getByRole('navigation', { name: 'Account' }).textContent()).resolves.toContain(ADMIN.name);
    await checkPage('dashboard');
  });

  it('creates a todo with Markdown and shows it rendered and sanitized', async () => {
    await open('/todos/new');
    await checkPage('todo-new');
    await createTodoThroughForm(TITLE, MARKDOWN);

    if (!/^\/todos\/\d+$/.test(new URL(page.url()).pathname)) {
      await open('/todos/today');
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: TITLE }).first().click()]);
    }
    todoPath = new URL(page.url()).pathname;
    expect(todoPath).toMatch(/^\/todos\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(TITLE);

    const main = page.locator('main');
    await expect(main.locator('strong', { hasText: 'bold' }).count()).resolves.toBe(1);
    const link = main.locator('a[href="https://example.com"]');
    await expect(link.count()).resolves.toBe(1);
    await expect(link.getAttribute('rel')).resolves.toBe('nofollow noopener noreferrer');
    await expect(link.textContent()).resolves.toBe('link');
    await expect(main.locator('li', { hasText: 'second' }).count()).resolves.toBeGreaterThan(0);
    await checkPage('todo-detail');
  });

  it('lists the todo on the today page', async () => {
    await open('/todos/today');
    await expect(page.getByRole('link', { name: TITLE }).count()).resolves.toBe(1);
    await checkPage('todos-today');
  });

  it('edits the todo', async () => {
    expect(todoPath).not.toBe('');
    await open(`${todoPath}/edit`);
    await expect(page.locator('input[name="title"]').inputValue()).resolves.toBe(TITLE);
    await expect(page.locator('textarea[name="details"]').inputValue()).resolves.toBe(MARKDOWN);
    await checkPage('todo-edit');
    await page.fill('input[name="title"]', EDITED_TITLE);
    await submitForm(`form[action="${todoPath}"]`);

    expect(new URL(page.url()).pathname).toBe(todoPath);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(EDITED_TITLE);
    await expect(page.locator('.flash-success').count()).resolves.toBe(1);
  });

  it('changes a status from the list with one click and comes back to the list', async () => {
    await open('/todos/today');
    const row = page.locator('li.todo-item', { has: page.getByRole('link', { name: EDITED_TITLE }) });
    await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: 'KIV' }).click()]);
    expect(new URL(page.url()).pathname).toBe('/todos/today');
    await expect(page.locator('.flash-success').textContent()).resolves.toContain('kept in view');
    await expect(row.locator('.status-kiv').count()).resolves.toBe(1);
    await checkPage('todos-today-kept-in-view');
    await Promise.all([page.waitForNavigation(), row.getByRole('button', { name: 'Reopen' }).click()]);
    await expect(row.locator('.status-new').count()).resolves.toBe(1);
  });

  it('marks the todo done', async () => {
    await open(todoPath);
    const doneButton = page.locator(`main .quick-status button[formaction="${todoPath}/status"][value="done"]`);
    await expect(doneButton.count()).resolves.toBe(1);
    await Promise.all([page.waitForNavigation(), doneButton.click()]);
    await expect(page.locator('.flash-success').count()).resolves.toBe(1);
    await open(todoPath);
    await expect(page.locator('main .status-done').count()).resolves.toBeGreaterThan(0);
    await checkPage('todo-done');
    await open('/todos/done');
    await expect(page.getByRole('link', { name: EDITED_TITLE }).count()).resolves.toBe(1);
  });

  it('fits a phone screen without horizontal scrolling on the dashboard, every list and the settings pages', async () => {
    const longWord = 'Supercalifragilisticexpialidocious-antidisestablishmentarianism-pneumonoultramicroscopic';
    await createTodoThroughForm(`Phone layout check ${longWord}`, `${longWord}\n\n| a | b |\n|---|---|\n| ${longWord} | ${longWord} |`);
    await page.setViewportSize(PHONE);
    try {
      for (const pagePath of ['/', ...LIST_PAGES, '/todos/new', todoPath, '/account', '/account/tokens', '/admin/users']) {
        await open(pagePath);
        const overflow = await horizontalOverflow();
        expect({ page: pagePath, ...overflow }).toEqual({ page: pagePath, overflowPx: 0, widest: [] });
      }
      await open('/');
      await checkPage('dashboard-phone');
      await open('/todos/today');
      await checkPage('todos-today-phone');
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  it('keeps AA contrast in the dark colour scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      for (const [name, pagePath] of [
        ['dashboard-dark', '/'],
        ['todos-done-dark', '/todos/done'],
        ['todo-detail-dark', todoPath],
        ['todo-new-dark', '/todos/new'],
      ]) {
        await open(pagePath);
        await checkPage(name);
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('shows the account, users and API token pages', async () => {
    await open('/account');
    await expect(page.getByLabel('Email').inputValue()).resolves.toBe(ADMIN.email);
    await checkPage('account');

    await open('/admin/users/new');
    await page.fill('#name', 'Grace Hopper');
    await page.fill('#email', 'grace@example.com');
    await page.fill('#password', PASSWORD);
    await page.fill('#confirm', PASSWORD);
    await submitForm('main form[action="/admin/users"]');
    expect(new URL(page.url()).pathname).toBe('/admin/users');
    const main = page.locator('main');
    await expect(main.textContent()).resolves.toContain(ADMIN.email);
    await expect(main.textContent()).resolves.toContain('grace@example.com');
    await checkPage('admin-users');

    await open('/account/tokens');
    await checkPage('tokens');
    await page.fill('input[name="name"]', 'backup script');
    await submitForm('main form[action="/account/tokens"]');
    await expect(page.locator('main').textContent()).resolves.toContain('backup script');
    await checkPage('tokens-created');
  });

  it('shows validation errors beside the fields of the todo form', async () => {
    await open('/todos/new');
    await page.fill('input[name="title"]', '');
    await Promise.all([page.waitForNavigation(), page.locator('main form[action="/todos"] button[type="submit"]').click()]);
    const title = page.locator('input[name="title"]');
    await expect(title.getAttribute('aria-invalid')).resolves.toBe('true');
    const errorId = await title.getAttribute('aria-describedby');
    expect(errorId).toBeTruthy();
    await expect(page.locator(`[id="${errorId}"]`).textContent()).resolves.not.toBe('');
    await checkPage('todo-new-errors', [/status of 422/]);
  });

  it('deletes the todo through the confirmation page', async () => {
    await open(todoPath);
    await Promise.all([page.waitForNavigation(), page.locator(`main a[href="${todoPath}/delete"]`).first().click()]);
    expect(new URL(page.url()).pathname).toBe(`${todoPath}/delete`);
    await expect(page.locator('main').textContent()).resolves.toContain(EDITED_TITLE);
    await checkPage('todo-delete');

    await submitForm(`main form[method="post"][action^="${todoPath}"]`);
    expect(new URL(page.url()).pathname).not.toBe(todoPath);
    await expect(page.locator('.flash-success').count()).resolves.toBe(1);
    await open(todoPath, 404);
  });

  it('shows a friendly 404 page', async () => {
    await open('/no/such/page', 404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Not found');
    await expect(page.getByRole('link', { name: 'Go to the dashboard' }).count()).resolves.toBe(1);
    await checkPage('not-found', [/status of 404/]);
  });

  it('brings back what was typed into a form when the session ended meanwhile, after logging in again', async () => {
    const typed = { title: 'Typed while the session ended', details: 'Still **here** after the login' };
    await open('/todos/new');
    await page.fill('input[name="title"]', typed.title);
    await page.fill('textarea[name="details"]', typed.details);
    await page.check('input[name="when"][value="tomorrow"]');
    // A pause longer than the idle timeout, on the app's clock (the app runs in this process).
    const realNow = Date.now;
    const idle = (t.config.sessionTimeoutMinutes + 1) * 60_000;
    Date.now = () => realNow() + idle;
    try {
      await submitForm('form[action="/todos"]');
      expect(new URL(page.url()).pathname).toBe('/login');
      await expect(page.locator('main').textContent()).resolves.toContain('What you typed is kept');

      await page.fill('input[name="email"]', ADMIN.email);
      await page.fill('input[name="password"]', PASSWORD);
      await submitForm('form[action="/login"]');
    } finally {
      Date.now = realNow;
    }
    expect(new URL(page.url()).pathname).toBe('/todos/new');
    await expect(page.inputValue('input[name="title"]')).resolves.toBe(typed.title);
    await expect(page.inputValue('textarea[name="details"]')).resolves.toBe(typed.details);
    await expect(page.isChecked('input[name="when"][value="tomorrow"]')).resolves.toBe(true);
    await checkPage('todo-new-restored');

    await submitForm('form[action="/todos"]');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain(typed.title);
  });

  it('logs out from the header and then needs a login again', async () => {
    await open('/');
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Log out' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/login');
    await open('/todos/today');
    expect(new URL(page.url()).pathname).toBe('/login');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Log in');
    await checkPage('login-after-logout');
  });
});
