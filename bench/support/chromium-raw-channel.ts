/**
 * The Chromium baseline: a plain page in each of the two browsers, one RTCPeerConnection each,
 * SDP carried by this process (gathering finished first, so no trickle and no server), one
 * ordered data channel sending unencrypted bytes from memory, paced with 'bufferedamountlow':
 * send while at most HIGH is buffered, then wait for the event at LOW.
 */
import type { Page } from 'playwright-core';
import type { Pacing } from './wrtc-raw-channel';

type Description = { type: string; sdp?: string };

/** Page-side state, kept on `globalThis.rawBench` between evaluations. */
type RawBench = {
  pc: RTCPeerConnection;
  channel?: RTCDataChannel;
  received?: Promise<number>;
};
type WithRaw = typeof globalThis & { rawBench: RawBench };

/** tsx keeps function names with a helper the page does not have. */
export const PAGE_SHIM = 'globalThis.__name = (f) => f';

export type RawChannel = {
  maxMessageSize: number | undefined;
  /** Seconds from the first send until the last byte arrived. */
  run(bytes: number, pacing: Pacing): Promise<number>;
  close(): Promise<void>;
};

export async function openRawChannel(sender: Page, receiver: Page): Promise<RawChannel> {
  for (const page of [sender, receiver]) await page.evaluate(PAGE_SHIM);
  const offer = await sender.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const channel = pc.createDataChannel('raw', { ordered: true });
    channel.binaryType = 'arraybuffer';
    (globalThis as WithRaw).rawBench = { pc, channel };
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete')
      await new Promise<void>((resolve) =>
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()),
      );
    return pc.localDescription?.toJSON() as Description;
  });
  const answer = await receiver.evaluate(async (offer: Description) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const bench: RawBench = { pc };
    (globalThis as WithRaw).rawBench = bench;
    pc.addEventListener('datachannel', ({ channel }) => {
      channel.binaryType = 'arraybuffer';
      bench.channel = channel;
    });
    await pc.setRemoteDescription(offer as RTCSessionDescriptionInit);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete')
      await new Promise<void>((resolve) =>
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()),
      );
    return pc.localDescription?.toJSON() as Description;
  }, offer);
  const maxMessageSize = await sender.evaluate(async (answer: Description) => {
    const { pc, channel } = (globalThis as WithRaw).rawBench;
    await pc.setRemoteDescription(answer as RTCSessionDescriptionInit);
    if (channel && channel.readyState !== 'open')
      await new Promise<void>((resolve) => channel.addEventListener('open', () => resolve(), { once: true }));
    return pc.sctp?.maxMessageSize;
  }, answer);
  await receiver.waitForFunction(() => (globalThis as WithRaw).rawBench.channel?.readyState === 'open');

  return {
    maxMessageSize,
    async run(bytes, pacing) {
      await receiver.evaluate((bytes: number) => {
        const bench = (globalThis as WithRaw).rawBench;
        const channel = bench.channel;
        if (!channel) throw new Error('no channel');
        let got = 0;
        bench.received = new Promise<number>((resolve) => {
          channel.onmessage = ({ data }: MessageEvent<ArrayBuffer>) => {
            got += data.byteLength;
            if (got >= bytes) resolve(Date.now());
          };
        });
      }, bytes);
      const started = await sender.evaluate(
        async ({ bytes, pacing }: { bytes: number; pacing: Pacing }) => {
          const { channel } = (globalThis as WithRaw).rawBench;
          if (!channel) throw new Error('no channel');
          channel.bufferedAmountLowThreshold = pacing.lowWater;
          const chunk = new Uint8Array(pacing.chunkBytes);
          for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 131 + 7) & 0xff;
          const started = Date.now();
          let sent = 0;
          while (sent < bytes) {
            if (channel.bufferedAmount > pacing.highWater)
              await new Promise<void>((resolve) =>
                channel.addEventListener('bufferedamountlow', () => resolve(), { once: true }),
              );
            const size = Math.min(chunk.length, bytes - sent);
            channel.send(size === chunk.length ? chunk : chunk.subarray(0, size));
            sent += size;
          }
          return started;
        },
        { bytes, pacing },
      );
      const ended = await receiver.evaluate(() => (globalThis as WithRaw).rawBench.received);
      return ((ended ?? Number.NaN) - started) / 1000;
    },
    async close() {
      for (const page of [sender, receiver]) await page.evaluate(() => (globalThis as WithRaw).rawBench.pc.close());
    },
  };
}
