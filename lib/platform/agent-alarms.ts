import { browser } from 'wxt/browser';
import { nextSlotChange } from '../rendezvous/rendezvous-slot';

/** Brings the agent's document back if it is gone, and lets it retry unreachable contacts. */
const KEEP_AGENT_ALARM = 'tincan/keep-agent';
/** The next rendezvous slot change (rotation, or an edge where two slots are tried). */
const SLOT_ALARM = 'tincan/rendezvous-slot';

/**
 * The background's schedule for the agent, all in `alarms` (a service worker's timers die with
 * it): a periodic tick, and one alarm at each rendezvous slot change. The agent keeps its own
 * timers as well; an alarm only makes sure a sleeping machine or a recreated document catches up.
 */
export function scheduleAgentAlarms(tick: () => Promise<unknown>) {
  const armSlotAlarm = () => void browser.alarms.create(SLOT_ALARM, { when: nextSlotChange(Date.now()) });
  // Chrome's shortest period (30 s); Firefox allows the same.
  void browser.alarms.create(KEEP_AGENT_ALARM, { periodInMinutes: 0.5 });
  armSlotAlarm();
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SLOT_ALARM) armSlotAlarm();
    if (alarm.name === KEEP_AGENT_ALARM || alarm.name === SLOT_ALARM) void tick().catch(() => {});
  });
}
