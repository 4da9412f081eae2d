/**
 * A fleet host: a child process (forked by host-process.ts, TypeScript through tsx's loader)
 * that runs agents for the parent's tests and benchmarks. Wiring only: IPC in, IPC out.
 */
import { newAgentIdentity } from '../node-agents';
import { Peer } from '../node-webrtc';
import type { HostMessage } from './fleet-protocol';
import { createHostedAgents } from './hosted-agents';

const post = (message: HostMessage) => {
  // The channel is gone once the parent is: nothing is left to tell.
  if (process.connected) process.send?.(message);
};

const hosted = createHostedAgents({
  Peer,
  newIdentity: newAgentIdentity,
  post,
  memory: () => {
    const { rss, heapUsed } = process.memoryUsage();
    return { pid: process.pid, rssBytes: rss, heapUsedBytes: heapUsed };
  },
  // After the reply is on its way; @roamhq/wrtc's threads would otherwise keep the process a while.
  exit: () => setTimeout(() => process.exit(0), 50),
});

process.on('message', (raw: unknown) => void hosted.receive(raw));
// An orphaned host (the parent died) leaves at once rather than holding its agents' ids.
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });

// A page logs an unhandled rejection and carries on; Node would end the process, and with it
// every agent here. PeerJS 1.5.5 has one under load: a connection closed while it negotiates
// (a join that timed out) reaches `this.connection.provider.emitError` with the provider gone.
process.on('unhandledRejection', (reason) => {
  console.error(`unhandled rejection (a browser would log it and go on): ${String(reason)}`);
});
