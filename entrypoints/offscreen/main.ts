// Chrome: the offscreen document hosts the agent (service workers cannot hold RTCPeerConnections).
import { Peer } from 'peerjs';
import { serveAgent } from '@/lib/agent/agent-service';
import { createPeerJsAgent } from '@/lib/agent/peerjs-agent';
import { agentToBackground, backgroundToAgent } from '@/lib/messaging/agent-messages';
import { channelClient, serveChannel } from '@/lib/platform/runtime-messaging';

const toBackground = channelClient(agentToBackground);
const handlers = serveAgent(
  createPeerJsAgent(Peer),
  (notice) => void toBackground('notice', notice).catch(() => {}),
  (run, ms) => setTimeout(run, ms),
);
serveChannel(backgroundToAgent, handlers);
void toBackground('ready').then((settings) => handlers.configure(settings));
