/**
 * Queue calls. A call to a queue rings on the queue (view "01", status 3)
 * until one of its agents picks up; then view "01" is on call and the agent
 * gets view "02" (customer → agent, status 5) — the shape of the seed's queue
 * call a3c9e27f01b4d5e6f789. The agent's phone reports the leg through call
 * events like any call it receives (Dial-In, then Answer).
 */
import { flowOf, isoDate, type Extension, type PhoneCall, type PhoneCallView, type World } from './world.js';

const preferred = new WeakMap<PhoneCall, string>();

/** The agent who picks up this call next (a desk answer by a given agent). */
export function preferAgent(call: PhoneCall, agent: string): void {
  preferred.set(call, agent);
}

export function isQueue(ext: Extension | undefined): ext is Extension & { type: 'queue' } {
  return ext?.type === 'queue';
}

/** The least busy agent of the queue whose phone answers; ties go to the first listed. */
function pickAgent(world: World, queue: Extension): string | undefined {
  const agents = (queue.agents ?? []).filter((a) => world.extensions.get(a)?.answers);
  let best: string | undefined;
  let bestLoad = Number.POSITIVE_INFINITY;
  for (const a of agents) {
    const load = world.callsOf([a]).length;
    if (load < bestLoad) {
      best = a;
      bestLoad = load;
    }
  }
  return best;
}

/** After a queue's view was answered: the agent's view joins the call. No-op for other extensions. */
export function connectAgent(world: World, call: PhoneCall, queueView: PhoneCallView): void {
  const queue = world.extensions.get(queueView.extension);
  if (!isQueue(queue)) return;
  const agent = preferred.get(call) ?? pickAgent(world, queue);
  preferred.delete(call);
  if (!agent) return;
  const now = isoDate();
  const source = [...queueView.source];
  const view: PhoneCallView = {
    id: world.nextViewId(call),
    extension: agent,
    answered: now,
    status: 5,
    callerId: queueView.callerId,
    source,
    destination: [agent],
    flow: flowOf(world, source, [agent]),
  };
  call.views.push(view);
  const leg = { caller: source[0] ?? '', called: agent, callerId: queueView.callerId };
  world.signalLeg(call, leg, 'start');
  world.signalLeg(call, leg, 'answer');
}
