import type { Page } from 'playwright-core';

/** What a person does in the popup, as Playwright locators: shared by the e2e tests and the `npm start` demo. */
export async function waitForAddress(popup: Page): Promise<string> {
  const status = popup.getByTestId('server-status');
  await status.filter({ hasText: 'Online' }).waitFor({ timeout: 30_000 });
  return (await popup.getByTestId('my-address').innerText()).trim();
}

/** Pastes an address or invite and presses Connect: the chat opens, waiting for the other side. */
export async function dial(popup: Page, target: string): Promise<void> {
  await popup.getByTestId('connect-input').fill(target);
  await popup.getByTestId('connect-button').click();
  await popup.getByTestId('chat-link').waitFor({ timeout: 30_000 });
}

/** Both sides trust each other and the session is encrypted. */
export async function waitUntilConnected(popup: Page): Promise<void> {
  await popup.getByTestId('chat-link').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
  await popup.getByTestId('chat-encryption').filter({ hasText: 'Encrypted with' }).waitFor();
}

/** Dials someone who already has this browser as a contact (no request to accept). */
export async function connectTo(popup: Page, target: string): Promise<void> {
  await dial(popup, target);
  await waitUntilConnected(popup);
}

/** Accepts the connection request shown in the popup; gives the name the requester announced. */
export async function acceptRequest(popup: Page): Promise<string> {
  const request = popup.getByTestId('request').first();
  await request.waitFor({ timeout: 30_000 });
  // Shown quoted: it is the requester's claim.
  const name = (await request.getByTestId('request-name').innerText()).trim().replace(/^“|”$/g, '');
  await request.getByTestId('request-accept').click();
  return name;
}

/** The safety number shown for the first saved contact (from the chat list). */
export async function safetyNumber(popup: Page): Promise<string> {
  const back = popup.getByRole('button', { name: 'Back to chats' });
  if (await back.isVisible()) await back.click();
  const contact = popup.getByTestId('contact').first();
  await contact.waitFor({ timeout: 30_000 });
  await contact.getByTestId('safety-toggle').click();
  return (await contact.getByTestId('safety-number').innerText()).trim();
}

/** Opens a saved contact's chat from the Saved contacts list, whether or not they are online. */
export async function openContactChat(popup: Page, petname: string): Promise<void> {
  const contact = popup.getByTestId('contact').filter({ hasText: petname }).first();
  await contact.waitFor({ timeout: 30_000 });
  await contact.getByTestId('contact-open').click();
  await popup.getByTestId('composer').waitFor();
}

export async function openFirstChat(popup: Page): Promise<void> {
  await popup.getByTestId('conversation').first().click();
  await popup.getByTestId('chat-link').waitFor();
}

export async function send(popup: Page, text: string): Promise<void> {
  await popup.getByTestId('composer').fill(text);
  await popup.getByTestId('send-button').click();
  await popup.getByTestId('message').filter({ hasText: text }).waitFor();
}

export async function waitForMessage(popup: Page, text: string): Promise<void> {
  await popup.getByTestId('message').filter({ hasText: text }).waitFor({ timeout: 30_000 });
}

export async function messageTexts(popup: Page): Promise<string[]> {
  return popup.locator('[data-testid="message"] .text').allInnerTexts();
}

/** Sets the name others see, through the options page, and closes it. */
export async function setDisplayName(browser: { openPage(path: string): Promise<Page> }, name: string): Promise<void> {
  const options = await browser.openPage('options.html');
  const field = options.locator('input[name="displayName"]');
  await field.waitFor();
  await field.fill(name);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByTestId('options-status').filter({ hasText: 'Saved' }).waitFor();
  await options.close();
}

/** Opens the invite panel and reads the invite text. */
export async function inviteText(popup: Page): Promise<string> {
  await popup.getByTestId('invite-toggle').click();
  return (await popup.getByTestId('invite-text').innerText()).trim();
}

/** The "On this network" status line, e.g. "Active · 2 people here" or why discovery is not running. */
export async function networkStatusText(popup: Page): Promise<string> {
  return (await popup.getByTestId('network-status').innerText()).trim();
}

/** Everyone "On this network" lists: saved contacts here (by petname) first, then strangers (by their name). */
export async function networkPeerNames(popup: Page): Promise<string[]> {
  const names = await popup.getByTestId('network').getByTestId('network-peer-name').allInnerTexts();
  return names.map((name) => name.trim());
}

/** One row of "On this network": a stranger or a contact, by the name shown. */
function networkPeer(popup: Page, kind: 'contact' | 'stranger', name: string) {
  return popup
    .getByTestId('network')
    .locator(`[data-testid="network-peer"][data-kind="${kind}"]`)
    .filter({ has: popup.getByTestId('network-peer-name').getByText(name, { exact: true }) });
}

/**
 * Presses Connect on the stranger shown as `name`, and waits until the request is sent (or
 * already accepted); throws with the popup's words when it fails.
 */
export async function connectOnNetwork(popup: Page, name: string): Promise<void> {
  const row = networkPeer(popup, 'stranger', name);
  await row.getByTestId('network-connect').click({ timeout: 30_000 });
  const settled = row
    .and(popup.locator('[data-request="sent"], [data-request="connected"]'))
    .or(row.getByTestId('network-error'))
    // Accepted and introduced: they are a contact now, no longer a stranger.
    .or(networkPeer(popup, 'contact', name));
  await settled.first().waitFor({ timeout: 30_000 });
  const error = row.getByTestId('network-error');
  if (await error.isVisible()) throw new Error(`Connect to ${name} failed: ${(await error.innerText()).trim()}`);
}

/** Presses Open chat on the saved contact shown as `petname` in "On this network"; waits for the chat. */
export async function openChatOnNetwork(popup: Page, petname: string): Promise<void> {
  await networkPeer(popup, 'contact', petname).getByTestId('network-open').click({ timeout: 30_000 });
  await popup.getByTestId('chat-link').waitFor({ timeout: 30_000 });
}

/** The transfer card of the file named `name`, in that status if one is given. */
export const transferCard = (popup: Page, name: string, status?: string) =>
  popup
    .locator(status ? `[data-testid="transfer-card"][data-status="${status}"]` : '[data-testid="transfer-card"]')
    .filter({ has: popup.getByTestId('transfer-name').getByText(name, { exact: true }) });

/**
 * Runs in the page: builds `size` seeded pseudo-random bytes as a File and starts dragging it
 * over the drop zone (dragenter, dragover); gives the bytes' SHA-256. A plain function, so
 * Playwright (Chromium) and Puppeteer (Firefox) pages can both evaluate it.
 */
export async function holdFileOverDropZone({ name, size, seed }: { name: string; size: number; seed: number }) {
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer, 0, Math.floor(size / 4));
  // xorshift32: the same bytes for the same seed, without shipping megabytes from Node.
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  const file = new File([bytes], name, { type: 'application/octet-stream' });
  const data = new DataTransfer();
  data.items.add(file);
  (window as unknown as { heldFiles: DataTransfer }).heldFiles = data;
  const zone = document.querySelector('[data-testid="drop-zone"]');
  if (!zone) throw new Error('no drop zone');
  for (const type of ['dragenter', 'dragover']) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Runs in the page: lets go of the file `holdFileOverDropZone` holds. */
export function dropHeldFileInPage() {
  const data = (window as unknown as { heldFiles: DataTransfer }).heldFiles;
  const zone = document.querySelector('[data-testid="drop-zone"]');
  zone?.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
}

/** Starts dragging a seeded file of `size` bytes over the chat; gives its SHA-256. `dropHeldFile` lets go. */
export const dragFileOver = (popup: Page, name: string, size: number, seed: number): Promise<string> =>
  popup.evaluate(holdFileOverDropZone, { name, size, seed });

export const dropHeldFile = (popup: Page): Promise<void> => popup.evaluate(dropHeldFileInPage);
