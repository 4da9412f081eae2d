/**
 * The one message map between the fleet (parent) and a fleet host (child process): commands
 * down, replies and agent events up. Both sides decode what arrives from `unknown` with these
 * schemas; nothing crosses the IPC channel as a bare cast.
 */
import { z } from 'zod';
import type { Agent, AgentEvent, AgentSnapshot } from '../../../lib/agent/agent';
import type { DiscoveryTiming } from '../../../lib/discovery/discovery-timing';
import { AgentIdentitySchema, ContactsSchema } from '../../../lib/store/contacts';
import { SettingsSchema } from '../../../lib/store/settings';

export const AgentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * Agent methods the parent may call, each with the arguments it takes. Adding a method to the
 * pass-through is one line here (the `satisfies` keeps it in step with `Agent`).
 */
export const CallArgsSchemas = {
  connect: z.tuple([z.string()]),
  answerRequest: z.tuple([z.string(), z.boolean(), z.string().optional()]),
  send: z.tuple([z.string(), z.string()]),
  markRead: z.tuple([z.string()]),
  trustNewKey: z.tuple([z.string()]),
} satisfies { [M in keyof Agent]?: z.ZodType<Parameters<Agent[M]>> };

export type CallMethod = keyof typeof CallArgsSchemas;
const CallMethodSchema = z.custom<CallMethod>(
  (value) => typeof value === 'string' && Object.hasOwn(CallArgsSchemas, value),
  'not an agent method the fleet passes through',
);

const ms = z.number().int().positive();
const DiscoveryTimingSchema = z
  .strictObject({
    pingEveryMs: ms,
    routerSilenceMs: ms,
    joinTimeoutMs: ms,
    probeTimeoutMs: ms,
    recordTtlMs: ms,
    refreshEveryMs: ms,
    sweepEveryMs: ms,
    confirmGraceMs: ms,
    addressRecheckMs: ms,
  } satisfies { [K in keyof DiscoveryTiming]: z.ZodType<DiscoveryTiming[K]> })
  .partial();

/** What a `start` command hands the host: the agent's setup plus named fakes for its deps. */
export const AgentStartSchema = z.object({
  agentId: AgentIdSchema,
  /** Full settings; the fleet points `signaling` at this agent's own proxy. */
  settings: SettingsSchema,
  /** Generated in the host when absent. */
  identity: AgentIdentitySchema.optional(),
  contacts: ContactsSchema.optional(),
  handshakeTimeoutMs: z.number().int().positive().optional(),
  /** Resolve once the agent is online at the signaling server (default), or at once. */
  waitOnline: z.boolean().default(true),
  onlineTimeoutMs: z.number().int().positive().default(20_000),
  // Fakes for agent deps, by name: `discoveryDepsFor` (hosted-agents.ts) makes them deps. The
  // next one is a field here and a line there.
  /** The public address of this agent's pretend network, as STUN would report it: '203.0.113.7'. */
  publicAddress: z.string().min(1).max(64).optional(),
  /** What the Network Information API would say about the link. */
  cellular: z.boolean().optional(),
  /** Over `DEFAULT_DISCOVERY_TIMING`: tests shorten pings and timeouts. */
  discoveryTiming: DiscoveryTimingSchema.optional(),
});
export type AgentStart = z.input<typeof AgentStartSchema>;

export const HostCommandSchema = z.discriminatedUnion('type', [
  AgentStartSchema.extend({ type: z.literal('start') }),
  z.object({ type: z.literal('snapshot'), agentId: AgentIdSchema }),
  z.object({ type: z.literal('stop'), agentId: AgentIdSchema }),
  z.object({
    type: z.literal('call'),
    agentId: AgentIdSchema,
    method: CallMethodSchema,
    args: z.array(z.unknown()).max(8),
  }),
  /** Memory and agent count of the host process. */
  z.object({ type: z.literal('usage') }),
  /** Stops every agent cleanly, replies, then the process exits. */
  z.object({ type: z.literal('shutdown') }),
]);
export type HostCommand = z.input<typeof HostCommandSchema>;
export type HostCommandType = HostCommand['type'];

export const CommandEnvelopeSchema = z.object({ seq: z.number().int().min(0), command: HostCommandSchema });

/** A failure carried back from the host: an `AgentError`'s or `DialError`'s problem, or the host's own. */
export const FleetProblemSchema = z.looseObject({ kind: z.string(), detail: z.string() });
export type FleetProblem = z.infer<typeof FleetProblemSchema>;

/**
 * The parts of a snapshot the fleet relies on, checked; the rest passes through untouched so
 * fields the agent gains later (discovery) reach tests without a change here.
 */
const EssentialSnapshotSchema = z.looseObject({
  name: z.string(),
  server: z.string(),
  status: z.looseObject({ state: z.enum(['connecting', 'online', 'offline', 'stopped']) }),
  contacts: z.array(z.looseObject({ identityKey: z.string() })),
  conversations: z.array(
    z.looseObject({
      address: z.string(),
      stage: z.string(),
      messages: z.array(z.looseObject({ from: z.enum(['me', 'peer']), text: z.string() })),
    }),
  ),
});
export const AgentSnapshotSchema = z.custom<AgentSnapshot>(
  (value) => EssentialSnapshotSchema.safeParse(value).success,
  'not an agent snapshot',
);

/** Any event the agent emits; only its `type` is checked, so new event kinds pass through. */
export const AgentEventSchema = z.custom<AgentEvent>(
  (value) => z.looseObject({ type: z.string() }).safeParse(value).success,
  'not an agent event',
);

export const StartedSchema = z.object({
  /** Undefined when the command said not to wait until online. */
  address: z.string().optional(),
  identity: AgentIdentitySchema,
});

export const UsageSchema = z.object({
  pid: z.number().int(),
  agents: z.number().int().min(0),
  rssBytes: z.number().min(0),
  heapUsedBytes: z.number().min(0),
});

/** How each command's reply value is decoded in the parent. */
export const ReplySchemas = {
  start: StartedSchema,
  snapshot: AgentSnapshotSchema,
  stop: z.unknown(),
  call: z.unknown(),
  usage: UsageSchema,
  shutdown: z.unknown(),
} satisfies Record<HostCommandType, z.ZodType>;
export type ReplyOf<T extends HostCommandType> = z.output<(typeof ReplySchemas)[T]>;

export const HostMessageSchema = z.discriminatedUnion('type', [
  /** The host has loaded WebRTC and PeerJS and takes commands. */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('reply'), seq: z.number().int(), value: z.unknown() }),
  z.object({ type: z.literal('failure'), seq: z.number().int(), problem: FleetProblemSchema }),
  /** `changed` is throttled per agent; every other event comes as the agent emitted it. */
  z.object({ type: z.literal('event'), agentId: AgentIdSchema, event: AgentEventSchema }),
]);
export type HostMessage = z.input<typeof HostMessageSchema>;
