import { render } from 'preact';
import { BackupSection } from '@/components/BackupSection';
import { OptionsApp } from '@/components/OptionsApp';
import { pageToBackground } from '@/lib/messaging/page-messages';
import { channelClient } from '@/lib/platform/runtime-messaging';
import { BUILD_DEFAULTS } from '@/lib/store/build-defaults-value';

const request = channelClient(pageToBackground);
const root = document.getElementById('app');
if (root) {
  render(
    <>
      <OptionsApp
        load={() => request('getSettings')}
        save={(s) => request('saveSettings', s)}
        defaults={BUILD_DEFAULTS}
      />
      <BackupSection
        actions={{
          exportBackup: (passphrase) => request('exportBackup', { passphrase }),
          importBackup: (file, passphrase) => request('importBackup', { file, passphrase }),
        }}
      />
    </>,
    root,
  );
}
