import { browser } from 'wxt/browser';
import { type Settings, SettingsSchema } from '../store/settings';

const KEY = 'tincan:settings:v1';

/** Settings live in the background's `storage.local`; a bad or missing value falls back to the defaults. */
export function settingsStorage(defaults: Settings) {
  return {
    async load(): Promise<Settings> {
      const stored = (await browser.storage.local.get(KEY))[KEY];
      const parsed = SettingsSchema.safeParse(stored);
      return parsed.success ? parsed.data : defaults;
    },
    async save(settings: Settings): Promise<void> {
      await browser.storage.local.set({ [KEY]: SettingsSchema.parse(settings) });
    },
    onChange(listener: () => void): () => void {
      const handler = (changes: Record<string, unknown>, area: string) => {
        if (area === 'local' && KEY in changes) listener();
      };
      browser.storage.onChanged.addListener(handler);
      return () => browser.storage.onChanged.removeListener(handler);
    },
  };
}
export type SettingsStorage = ReturnType<typeof settingsStorage>;
