import type { ConversationProblem } from '../sessions/conversations';

/** Everything the agent can refuse or fail at, in words the popup can explain. */
export type AgentProblem =
  | ConversationProblem
  | { kind: 'not-configured'; detail: string }
  | { kind: 'no-request'; detail: string }
  | { kind: 'own-address'; detail: string }
  /** A discovery id from a network this browser is no longer on (or has not found yet). */
  | { kind: 'not-on-this-network'; detail: string }
  | { kind: 'not-connected'; detail: string }
  | { kind: 'bad-message'; detail: string }
  /** History could not be written (storage full or unavailable): the message was not kept. */
  | { kind: 'not-saved'; detail: string };

export class AgentError extends Error {
  constructor(readonly problem: AgentProblem) {
    super(problem.detail);
    this.name = 'AgentError';
  }
}
