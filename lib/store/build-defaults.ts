import { z } from 'zod';
import { FACTORY_SETTINGS, IceServerSchema, parseSignalingUrl, type Settings } from './settings';

/**
 * The defaults baked into a build. A store build uses the public servers; a build made with
 * `TINCAN_SIGNALING_URL` (and `TINCAN_ICE_SERVERS`, a JSON list or `none`) starts pointed at a
 * self-hosted server instead. Runs in Node at build time only.
 */
export function buildTimeDefaults(env: Record<string, string | undefined>): Settings {
  const signalingUrl = env.TINCAN_SIGNALING_URL;
  const ice = env.TINCAN_ICE_SERVERS;
  return {
    ...FACTORY_SETTINGS,
    signaling: signalingUrl ? parseSignalingUrl(signalingUrl) : FACTORY_SETTINGS.signaling,
    iceServers:
      ice === undefined
        ? FACTORY_SETTINGS.iceServers
        : ice === 'none' || ice === ''
          ? []
          : z.array(IceServerSchema).parse(JSON.parse(ice)),
  };
}
