import type { Page } from 'playwright-core';

/** What a person does in the popup, as Playwright locators: shared by the e2e tests and the `npm start` demo. */
export async function waitForAddress(popup: Page): Promise<string> {
  const status = popup.getByTestId('server-status');
  await status.filter({ hasText: 'Online' }).waitFor({ timeout: 30_000 });
  return (await popup.getByTestId('my-address').innerText()).trim();
}

export async function connectTo(popup: Page, address: string): Promise<void> {
  await popup.getByTestId('connect-input').fill(address);
  await popup.getByTestId('connect-button').click();
  await popup.getByTestId('chat-link').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
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
