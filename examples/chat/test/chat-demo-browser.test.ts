/*
 * The chat demo's page in a real Chromium (Debian's; CHROMIUM_PATH for another), which loads the
 * packages' built ESM through the page's import map, as a user's browser does. Each flow runs at a
 * desktop and a phone width, and saves a screenshot of each in test/artifacts/ (not committed).
 * Without Chromium the tests are skipped, except under CI, where they fail.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { cleanup, launchChromium, onCleanup, skipBrowser } from '@volley/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../server.mjs';
import { ensureBuilt, example, nodeUser, start } from './demo-helpers.js';

const artifacts = join(example, 'test', 'artifacts');
const widths = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 375, height: 740 } },
] as const;

let browser: Browser | undefined;

beforeAll(async () => {
  await ensureBuilt();
  if (!skipBrowser) browser = await launchChromium();
}, 180_000);
afterEach(cleanup);
afterAll(() => browser?.close());

/** The demo page at `viewport`, recording what it requests and any error it reports; closed in clean-up. */
async function openPage(demo: Demo, viewport: { width: number; height: number }) {
  const page = await browser!.newPage({ viewport });
  onCleanup(() => page.close());
  const record = { page, requests: [] as string[], failed: [] as string[], errors: [] as string[], sockets: [] as string[] };
  page.on('request', (request) => record.requests.push(request.url()));
  page.on('response', (response) => {
    if (response.status() !== 200) record.failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => record.errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') record.errors.push(message.text());
  });
  page.on('websocket', (socket) => record.sockets.push(socket.url()));
  await page.goto(demo.url);
  return record;
}

async function logIn(page: Page, userName: string): Promise<void> {
  await page.getByLabel('Your name').fill(userName);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#whoami', { hasText: `Signed in as ${userName}` }).waitFor();
}

/** Text of the page's lines in `selector`, without their clock time. */
function lines(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (items) => items.map((item) => (item.textContent ?? '').replace(item.querySelector('time')?.textContent ?? '', '')));
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

describe.skipIf(skipBrowser)('chat demo in Chromium (built ESM, import map, no bundler)', () => {
  it('a browser user and a Node user chat both ways: history, notices, members, typing, direct messages; only browser code is loaded', async () => {
    const demo = await start();
    const nora = await nodeUser(demo, 'nora');
    await nora.chat.roomJoin('lobby');
    await nora.chat.roomMessage('lobby', { textMessage: 'before you came' });
    const { page, requests, failed, errors, sockets } = await openPage(demo, widths[0].viewport);

    await logIn(page, 'bea');
    await page.locator('#connection', { hasText: 'Connected' }).waitFor();
    await page.locator('#rooms li[data-room="lobby"]', { hasText: '1 in' }).waitFor();
    // Server presence: nora is online.
    await page.locator('#people li[data-user="nora"] .online').waitFor();

    await page.click('#rooms li[data-room="lobby"] button');
    expect(await nora.inbox.next('roomUserJoined')).toEqual(['lobby', 'bea']);
    await page.locator('#messages li', { hasText: 'nora: before you came' }).waitFor();
    expect(await page.textContent('#conversation-title')).toBe('# lobby');
    await page.locator('#members li[data-member="nora"]').waitFor();
    await page.locator('#members li[data-member="bea"]').waitFor();

    // Browser → Node: typing, then the message, which the page shows too.
    await page.getByLabel('Message', { exact: true }).fill('hello from the browser');
    expect(await nora.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'typing', userName: 'bea' }]);
    await page.getByRole('button', { name: 'Send message' }).click();
    const [, fromBrowser] = await nora.inbox.next('roomMessage', (_room, message) => message.author === 'bea');
    expect(fromBrowser).toEqual({ textMessage: 'hello from the browser', author: 'bea', id: 2, timestamp: expect.any(Number) });
    await page.locator('#messages li', { hasText: 'bea: hello from the browser' }).waitFor();
    await page.waitForFunction(() => (document.querySelector('#message-text') as HTMLInputElement).value === '');

    // Node → browser: typing shows until the message arrives.
    await nora.chat.roomReceipt('lobby', 'typing');
    await page.locator('#typing', { hasText: 'nora is typing…' }).waitFor();
    await nora.chat.roomMessage('lobby', { textMessage: 'hello from node' });
    await page.locator('#messages li', { hasText: 'nora: hello from node' }).waitFor();
    expect(await page.textContent('#typing')).toBe('');

    // Direct messages both ways, in a conversation of their own.
    await nora.chat.directMessage('bea', { textMessage: 'psst, bea' });
    await page.locator('#people li[data-user="nora"] .badge', { hasText: '1' }).waitFor();
    await page.getByRole('button', { name: 'Direct messages with nora' }).click();
    await page.locator('#messages li', { hasText: 'nora: psst, bea' }).waitFor();
    expect(await page.locator('#people li[data-user="nora"] .badge').count()).toBe(0);
    await page.getByLabel('Message', { exact: true }).fill('hi nora');
    await page.getByRole('button', { name: 'Send message' }).click();
    const [direct] = await nora.inbox.next('directMessage');
    expect(direct).toEqual({ textMessage: 'hi nora', author: 'bea', timestamp: expect.any(Number) });
    // The page adds its own line when the command's answer comes, which follows the delivery.
    await page.locator('#messages li', { hasText: 'bea: hi nora' }).waitFor();
    expect(await lines(page, '#messages li')).toEqual(['nora: psst, bea', 'bea: hi nora']);

    // Back in lobby: nora leaves, the page says so; then bea leaves, which Node sees.
    await page.click('#rooms li[data-room="lobby"] button');
    await nora.chat.roomLeave('lobby');
    await page.locator('#messages li.notice', { hasText: 'nora left' }).waitFor();
    await nora.chat.roomJoin('lobby');
    await page.getByRole('button', { name: 'Leave room' }).click();
    expect(await nora.inbox.next('roomUserLeft')).toEqual(['lobby', 'bea']);
    await page.locator('#conversation-title', { hasText: 'Pick a room or a person' }).waitFor();

    // Exactly the page, its module, the chat client and its browser dependencies were loaded,
    // all from the demo's own server: no ws, no ajv, no node: built-in, no server code.
    const origin = new URL(demo.url).origin;
    const paths = requests.map((url) => {
      expect(url.startsWith(`${origin}/`)).toBe(true);
      return new URL(url).pathname;
    });
    expect(paths.some((path) => /(^|[/.@-])(ws|ajv|server)([/.@-]|$)/.test(path) || path.includes('node:'))).toBe(false);
    const isChunk = (path: string): boolean => /^\/vendor\/(chat|client|protocol|session)\/chunk-[\w-]+\.js$/.test(path);
    expect([...new Set(paths)].filter((path) => !isChunk(path)).sort()).toEqual(
      ['/', '/app.js', '/vendor/chat/client.js', '/vendor/client/index.js', '/vendor/protocol/index.js', '/vendor/session/index.js'].sort(),
    );
    expect(sockets).toEqual([`ws://127.0.0.1:${new URL(demo.url).port}/ws`]);
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    expect(demo.errors).toEqual([]);
  }, 60_000);

  it.each(widths)('$name: Create creates and enters the room; a long URL wraps; errors show in words beside their control', async ({ name, viewport }) => {
    const demo = await start();
    const { page, errors } = await openPage(demo, viewport);
    await logIn(page, 'cara');

    await page.getByLabel('Room name').fill('plans');
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.locator('#conversation-title', { hasText: '# plans' }).waitFor();
    expect(await page.isEnabled('#message-text')).toBe(true);
    await page.locator('#rooms li[data-room="plans"].open').waitFor();
    await page.locator('#members li[data-member="cara"] .role', { hasText: 'owner' }).waitFor();

    const url = `https://example.com/${'a-very-long-path-segment-'.repeat(12)}?q=${'x'.repeat(80)}`;
    await page.getByLabel('Message', { exact: true }).fill(`look: ${url}`);
    await page.keyboard.press('Enter');
    await page.locator('#messages li', { hasText: url }).waitFor();
    // Nothing sticks out: not the message, not the page.
    expect(await page.$eval('#messages li.message', (item) => item.scrollWidth <= item.clientWidth + 1)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    // The same name again: the error in words, under the room form, and announced.
    await page.getByLabel('Room name').fill('plans');
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.locator('#room-error', { hasText: 'A room named “plans” already exists: join it instead.' }).waitFor();
    expect(await page.getAttribute('#room-name', 'aria-describedby')).toBe('room-error');
    expect(await page.getAttribute('#room-error', 'role')).toBe('alert');
    await page.getByLabel('Room name').fill('nowhere');
    await page.getByRole('button', { name: 'Join room' }).click();
    await page.locator('#room-error', { hasText: 'There is no room named “nowhere”.' }).waitFor();
    expect(await page.textContent('#message-error')).toBe('');
    await screenshot(page, `demo-${name}`);
    expect(errors).toEqual([]);
    expect(demo.errors).toEqual([]);
  }, 60_000);

  it('unread markers count what arrives in other rooms and conversations, and clear when opened', async () => {
    const demo = await start();
    const nora = await nodeUser(demo, 'nora');
    await nora.chat.roomJoin('lobby');
    await nora.chat.roomJoin('random');
    const { page } = await openPage(demo, widths[0].viewport);
    await logIn(page, 'dan');
    await page.getByLabel('Room name').fill('random');
    await page.getByRole('button', { name: 'Join room' }).click();
    await page.locator('#conversation-title', { hasText: '# random' }).waitFor();
    await page.click('#rooms li[data-room="lobby"] button');
    await page.locator('#conversation-title', { hasText: '# lobby' }).waitFor();

    await nora.chat.roomMessage('random', { textMessage: 'one' });
    await nora.chat.roomMessage('random', { textMessage: 'two' });
    await page.locator('#rooms li[data-room="random"] .badge', { hasText: '2' }).waitFor();
    expect(await page.getAttribute('#rooms li[data-room="random"] .badge', 'aria-label')).toBe('2 unread');
    await nora.chat.roomMessage('lobby', { textMessage: 'here' }); // the open room: no marker
    await page.locator('#messages li', { hasText: 'nora: here' }).waitFor();
    expect(await page.locator('#rooms li[data-room="lobby"] .badge').count()).toBe(0);
    await page.click('#rooms li[data-room="random"] button');
    await page.locator('#messages li', { hasText: 'nora: two' }).waitFor();
    expect(await page.locator('#rooms li[data-room="random"] .badge').count()).toBe(0);
  }, 60_000);

  it('each burst of typing shows, and clears when the message arrives', async () => {
    const demo = await start();
    const nora = await nodeUser(demo, 'nora');
    await nora.chat.roomJoin('lobby');
    const { page } = await openPage(demo, widths[0].viewport);
    await logIn(page, 'eli');
    await page.click('#rooms li[data-room="lobby"] button');
    await page.locator('#conversation-title', { hasText: '# lobby' }).waitFor();
    for (const text of ['first', 'second']) {
      await page.getByLabel('Message', { exact: true }).pressSequentially(text.slice(0, 2));
      expect(await nora.inbox.next('roomReceipt')).toEqual(['lobby', { kind: 'typing', userName: 'eli' }]);
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.keyboard.press('Enter');
      await nora.inbox.next('roomMessage', (_room, message) => message.textMessage === text);
    }
    // Two bursts, two receipts, though both came within 2 s.
    expect(nora.inbox.count('roomReceipt')).toBe(2);
  }, 60_000);

  it('offline: the state shows and inputs are disabled; after a server restart the stale room and history are refreshed', async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);
    const { page } = await openPage(first, widths[0].viewport);
    await logIn(page, 'fay');
    await page.getByLabel('Room name').fill('temporary');
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.locator('#conversation-title', { hasText: '# temporary' }).waitFor();
    await page.getByLabel('Message', { exact: true }).fill('said before the restart');
    await page.keyboard.press('Enter');
    await page.locator('#messages li', { hasText: 'said before the restart' }).waitFor();

    await first.stop();
    await page.locator('#connection', { hasText: 'Reconnecting…' }).waitFor();
    expect(await page.isDisabled('#message-text')).toBe(true);
    expect(await page.isDisabled('#room-name')).toBe(true);
    await screenshot(page, 'demo-offline');

    // A new server on the same port: the room the user made is gone, lobby is back and empty.
    const second = await start(port);
    await page.locator('#connection', { hasText: 'Connected' }).waitFor({ timeout: 15_000 });
    await page.locator('#room-error', { hasText: '“temporary” is gone.' }).waitFor();
    expect(await page.locator('#rooms li[data-room="temporary"]').count()).toBe(0);
    await page.locator('#rooms li[data-room="lobby"]').waitFor();
    await page.click('#rooms li[data-room="lobby"] button');
    await page.locator('#conversation-title', { hasText: '# lobby' }).waitFor();
    expect(await page.isEnabled('#message-text')).toBe(true);
    expect(second.errors).toEqual([]);
  }, 60_000);

  it.each(widths)('$name: accessible — labelled inputs, unique control names, headings in order, a live region, AA contrast', async ({ viewport }) => {
    const demo = await start();
    const { page } = await openPage(demo, viewport);
    await logIn(page, 'gus');
    await page.click('#rooms li[data-room="lobby"] button');
    await page.locator('#conversation-title', { hasText: '# lobby' }).waitFor();
    const report = await page.evaluate(() => {
      const visible = (element: Element): boolean => (element as HTMLElement).offsetParent !== null;
      const unlabelled = Array.from(document.querySelectorAll('input')).filter((input) => visible(input) && input.labels?.length === 0 && !input.getAttribute('aria-label')).map((input) => input.id);
      const names = Array.from(document.querySelectorAll('button')).filter(visible).map((button) => button.getAttribute('aria-label') ?? button.textContent?.trim() ?? '');
      const duplicates = names.filter((label, index) => names.indexOf(label) !== index);
      const levels = Array.from(document.querySelectorAll('h1, h2, h3, h4')).filter(visible).map((heading) => Number(heading.tagName[1]));
      const skipped = levels.filter((level, index) => index > 0 && level > levels[index - 1]! + 1);
      const live = document.querySelector('#messages')?.getAttribute('aria-live');
      // WCAG contrast of text against the nearest opaque background.
      const rgb = (color: string): number[] => color.match(/[\d.]+/g)!.slice(0, 4).map(Number);
      const luminance = ([r, g, b]: number[]): number =>
        [r!, g!, b!].map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4)).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
      const background = (element: Element | null): number[] => {
        for (let at = element; at !== null; at = at.parentElement) {
          const color = rgb(getComputedStyle(at).backgroundColor);
          if (color.length < 4 || color[3]! > 0) return color;
        }
        return [255, 255, 255];
      };
      const low = Array.from(document.querySelectorAll('body *'))
        .filter((element) => visible(element) && Array.from(element.childNodes).some((node) => node.nodeType === 3 && node.textContent!.trim() !== ''))
        .map((element) => {
          const [fore, back] = [luminance(rgb(getComputedStyle(element).color)), luminance(background(element))];
          const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
          const disabled = (element as HTMLButtonElement).disabled === true; // exempt under WCAG 1.4.3
          return { text: element.textContent!.trim().slice(0, 30), ratio: Math.round(ratio * 100) / 100, disabled };
        })
        .filter((entry) => entry.ratio < 4.5 && !entry.disabled);
      return { unlabelled, duplicates, levels, skipped, live, low };
    });
    expect(report.unlabelled).toEqual([]);
    expect(report.duplicates).toEqual([]);
    expect(report.levels[0]).toBe(1);
    expect(report.skipped).toEqual([]);
    expect(report.live).toBe('polite');
    expect(report.low).toEqual([]);
  }, 60_000);

  it('a refused login shows the reason in words beside the name field and stays on the login form', async () => {
    const demo = await start();
    const { page, errors } = await openPage(demo, widths[1].viewport);
    await page.getByLabel('Your name').fill('a:b');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-error', { hasText: 'Names are 1 to 32 characters, without : { } or control characters.' }).waitFor();
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.isHidden('#app')).toBe(true);
    await logIn(page, 'ab');
    expect(await page.textContent('#login-error')).toBe('');
    expect(errors).toEqual([]);
  }, 60_000);
});
