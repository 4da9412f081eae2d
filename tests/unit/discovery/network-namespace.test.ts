import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes';
import {
  makeDiscoveryId,
  NAMESPACE_CHARS,
  namespaceId,
  parseDiscoveryId,
  publicPrefix,
  rootKey,
} from '../../../lib/discovery/network-namespace';

const key = rootKey('tincan');

describe('publicPrefix', () => {
  it('keeps a public IPv4 address whole', () => {
    expect(publicPrefix('203.0.113.7')).toBe('203.0.113.7');
    expect(publicPrefix('8.8.8.8')).toBe('8.8.8.8');
  });

  it('gives no namespace for addresses that only name a device inside a network', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.20',
      '127.0.0.1',
      '169.254.10.10',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1%eth0',
      'fd12:3456::1',
      'ff02::1',
      '2001:0:4136:e378::1',
      '64:ff9b::808:808',
      '::ffff:192.168.0.1',
    ]) {
      expect(publicPrefix(address), address).toBeUndefined();
    }
    expect(publicPrefix('172.32.0.1')).toBe('172.32.0.1');
  });

  it('refuses text that is not an address', () => {
    for (const text of [
      '',
      'tincan',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      ' 1.2.3.4',
      '2001:db8::1::2',
      '2001:db8:1:2:3:4:5:6:7',
      '2001:db8:1:2:3:4:5',
      '2001:db8::12345',
      '2001:db8::g',
      ':2001:db8::1',
      '2001:db8::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
    ]) {
      expect(publicPrefix(text), text).toBeUndefined();
    }
  });

  it('maps every text form of addresses in one IPv6 /64 to the same prefix', () => {
    const forms = [
      '2001:db8:0:12::1',
      '2001:0DB8:0000:0012:0000:0000:0000:0001',
      '2001:db8::12:abcd:ef01:2345:6789',
      '[2001:db8:0:12:ffff::1]',
      '2001:db8:0:12::1%wlan0',
      '2001:db8:0:12::192.0.2.1',
      '2001:DB8:0:12:0:0:0:0',
    ];
    for (const form of forms) expect(publicPrefix(form), form).toBe('2001:db8:0:12::/64');
  });

  it('reads an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(publicPrefix('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(publicPrefix('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });
});

describe('namespaceId', () => {
  it('is 16 base32 characters, the same for everyone behind one address', () => {
    const ns = namespaceId(key, '203.0.113.7');
    expect(ns).toMatch(/^[a-z2-7]{16}$/);
    expect(ns).toHaveLength(NAMESPACE_CHARS);
    expect(namespaceId(rootKey('tincan'), '203.0.113.7')).toBe(ns);
    expect(ns).not.toContain('203');
  });

  it('differs between /64s, between addresses and between roots', () => {
    const a = namespaceId(key, publicPrefix('2001:db8:0:12::1') ?? '');
    const b = namespaceId(key, publicPrefix('2001:db8:0:13::1') ?? '');
    expect(a).not.toBe(b);
    expect(namespaceId(key, '203.0.113.7')).not.toBe(namespaceId(key, '203.0.113.8'));
    expect(namespaceId(rootKey('beacon-token'), '203.0.113.7')).not.toBe(namespaceId(key, '203.0.113.7'));
  });

  it('has known answers, computed independently with Node crypto', () => {
    // A change here would split old and new clients into different namespaces.
    expect(toHex(key)).toBe('88707286dffb1ccfec53876eed3d8a81d1e10f080583ab939f95fb4e76efcb43');
    expect(namespaceId(key, '203.0.113.7')).toBe('gtdht5ubcdl7wn5g');
    expect(namespaceId(key, '2001:db8:0:12::/64')).toBe('sqjbfuoxsa4n47ea');
    expect(namespaceId(new Uint8Array(32), '203.0.113.7')).toBe('hv6hiex5wbmqqyvy');
  });

  it('refuses a root key of the wrong size', () => {
    expect(() => namespaceId(new Uint8Array(16), '203.0.113.7')).toThrow(RangeError);
  });
});

describe('discovery ids', () => {
  it('are made and read back', () => {
    const ns = namespaceId(key, '203.0.113.7');
    const id = makeDiscoveryId('tincan', ns, (n) => new Uint8Array(n).fill(7));
    expect(id).toMatch(new RegExp(`^tincan-${ns}-d-[a-z2-7]{16}$`));
    expect(parseDiscoveryId(id)).toEqual({ root: 'tincan', ns, rand: id.slice(-16) });
  });

  it('refuse anything else', () => {
    for (const id of [
      '',
      'tincan-t-abcdefghijklmnop',
      'tincan-abcdefghijklmnop-r1',
      'tincan-abcdefghijklmno-d-abcdefghijklmnop',
      'tincan-abcdefghijklmnop-d-abc',
      `tincan-abcdefghijklmnop-d-${'a'.repeat(33)}`,
      '-abcdefghijklmnop-d-abcdefghijklmnop',
      'tincan-ABCDEFGHIJKLMNOP-d-abcdefghijklmnop',
      `${'x'.repeat(80)}-abcdefghijklmnop-d-abcdefghijklmnop`,
    ]) {
      expect(parseDiscoveryId(id), id).toBeUndefined();
    }
  });
});
