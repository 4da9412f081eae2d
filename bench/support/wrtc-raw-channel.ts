/**
 * The baseline for file transfer in Node: unencrypted bytes through one ordered @roamhq/wrtc data
 * channel between two RTCPeerConnections in this process, joined directly (no PeerJS, no server,
 * no session), paced by `bufferedAmount` between a high and a low water mark. wrtc never fires
 * 'bufferedamountlow', so the sender polls the buffer while it waits.
 */
import { performance } from 'node:perf_hooks';
import wrtc from '@roamhq/wrtc';
import { STEP_TIMEOUT_MS, within } from '../connect';

export type Pacing = { chunkBytes: number; highWater: number; lowWater: number };

export type RawRun = Pacing & { bytes: number; seconds: number; maxMessageSize: number | undefined };

const POLL_MS = 1;

const byteLengthOf = (data: unknown) =>
  data instanceof ArrayBuffer ? data.byteLength : ArrayBuffer.isView(data) ? data.byteLength : 0;

/** Two connected ends and their open channel; `close` ends both. */
async function connectedChannel() {
  const sender = new wrtc.RTCPeerConnection({ iceServers: [] });
  const receiver = new wrtc.RTCPeerConnection({ iceServers: [] });
  const close = () => {
    sender.close();
    receiver.close();
  };
  try {
    sender.onicecandidate = ({ candidate }) => {
      if (candidate) void receiver.addIceCandidate(candidate);
    };
    receiver.onicecandidate = ({ candidate }) => {
      if (candidate) void sender.addIceCandidate(candidate);
    };
    const channel = sender.createDataChannel('raw', { ordered: true });
    channel.binaryType = 'arraybuffer';
    const incoming = new Promise<RTCDataChannel>((resolve) => {
      receiver.ondatachannel = ({ channel: far }) => {
        far.binaryType = 'arraybuffer';
        resolve(far);
      };
    });
    const opened = new Promise<void>((resolve) => {
      channel.onopen = () => resolve();
    });
    await exchangeDescriptions(sender, receiver);
    await within(opened, STEP_TIMEOUT_MS, 'raw channel open');
    const far = await within(incoming, STEP_TIMEOUT_MS, 'raw channel at the far end');
    const maxMessageSize = (sender as unknown as { sctp?: { maxMessageSize?: number } }).sctp?.maxMessageSize;
    return { channel, far, maxMessageSize, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** Offer from `sender`, answer from `receiver`, in this process (candidates trickle by the handlers). */
async function exchangeDescriptions(sender: RTCPeerConnection, receiver: RTCPeerConnection): Promise<void> {
  const offer = await sender.createOffer();
  await sender.setLocalDescription(offer);
  await receiver.setRemoteDescription(offer);
  const answer = await receiver.createAnswer();
  await receiver.setLocalDescription(answer);
  await sender.setRemoteDescription(answer);
}

/** Sends `bytes` with this pacing; seconds from the first send until the last byte arrived. */
export async function rawChannelRun(bytes: number, pacing: Pacing, timeoutMs = 120_000): Promise<RawRun> {
  const { channel, far, maxMessageSize, close } = await connectedChannel();
  try {
    const arrived = within(
      new Promise<number>((resolve) => {
        let got = 0;
        far.onmessage = ({ data }: MessageEvent<unknown>) => {
          got += byteLengthOf(data);
          if (got >= bytes) resolve(performance.now());
        };
      }),
      timeoutMs,
      'raw channel transfer',
    );
    arrived.catch(() => {});
    const chunk = new Uint8Array(pacing.chunkBytes);
    for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 131 + 7) & 0xff;
    let sent = 0;
    let waiting = false;
    const pump = () => {
      if (channel.readyState !== 'open') return;
      if (waiting && channel.bufferedAmount > pacing.lowWater) {
        setTimeout(pump, POLL_MS);
        return;
      }
      waiting = false;
      while (sent < bytes && channel.bufferedAmount <= pacing.highWater) {
        const size = Math.min(chunk.length, bytes - sent);
        channel.send(size === chunk.length ? chunk : chunk.subarray(0, size));
        sent += size;
      }
      if (sent < bytes) {
        waiting = true;
        setTimeout(pump, POLL_MS);
      }
    };
    const started = performance.now();
    pump();
    const ended = await arrived;
    return { ...pacing, bytes, seconds: (ended - started) / 1000, maxMessageSize };
  } finally {
    close();
  }
}

/** The negotiated maxMessageSize of a wrtc channel (what limits the chunk size). */
export async function rawMaxMessageSize(): Promise<number | undefined> {
  const { maxMessageSize, close } = await connectedChannel();
  close();
  return maxMessageSize;
}
