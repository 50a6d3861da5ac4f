/**
 * Bolt runs every listener's middleware chain for every request, and each chain's first
 * middleware then drops what is not its kind (a command, an action, a view, ...): the cost of
 * acknowledging a request grows with the number of listeners the app has. Once all are
 * registered, `indexListeners` groups the chains by that first middleware and leaves Bolt a
 * single listener that runs only the chains of the request's own kind (without their kind filter,
 * which the request is known to pass): the same chains, in the same order, with the same results
 * and the same errors (one error as it was thrown, several
 * as Bolt's MultipleListenerError). A chain Bolt did not start with a kind filter runs for
 * every request, as before; a listener registered later is left to Bolt.
 */
import {
  type AllMiddlewareArgs,
  type AnyMiddlewareArgs,
  type App,
  type Middleware,
  MultipleListenerError,
  onlyActions,
  onlyCommands,
  onlyEvents,
  onlyOptions,
  onlyShortcuts,
  onlyViewActions,
} from '@slack/bolt';

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;
type Chain = Middleware<AnyMiddlewareArgs>[];
type Filter = (args: Args) => boolean;

const has = (args: Args, key: string): boolean => Boolean((args as unknown as Record<string, unknown>)[key]);

/** What each of Bolt's kind filters lets through (the same tests as Bolt's own). */
const KIND_FILTERS = new Map<unknown, Filter>([
  [onlyCommands, (a) => has(a, 'command')],
  [onlyActions, (a) => has(a, 'action')],
  [onlyShortcuts, (a) => has(a, 'shortcut')],
  [onlyOptions, (a) => has(a, 'options')],
  [onlyEvents, (a) => (a as { event?: unknown }).event !== undefined],
  [onlyViewActions, (a) => 'view' in a],
]);

const noop = () => {};

/**
 * Runs one chain the way Bolt runs a listener's: its middleware in turn, then the listener with a
 * no-op `next`. From `start`: a kind filter the request is known to pass is not run again.
 */
class ChainRun {
  private called = -1;

  constructor(
    private readonly chain: Chain,
    private readonly args: Args,
  ) {}

  invoke(i: number): Promise<unknown> {
    if (this.called >= i) throw Error('next() called multiple times');
    this.called = i;
    if (i < this.chain.length - 1) return this.chain[i]!({ ...this.args, next: this.invoke.bind(this, i + 1) } as never);
    return this.listener();
  }

  private async listener(): Promise<unknown> {
    return this.chain[this.chain.length - 1]!({ ...this.args, next: noop } as never);
  }
}

interface Indexed {
  chain: Chain;
  /** 1 when the chain starts with a kind filter (passed by every request it is run for), else 0. */
  start: number;
}

async function runChain({ chain, start }: Indexed, args: Args): Promise<unknown> {
  return new ChainRun(chain, args).invoke(start);
}

/** Replaces the app's listeners with one that runs only the chains of each request's kind. */
export function indexListeners(app: App): void {
  const holder = app as unknown as { listeners?: Chain[] };
  const chains = holder.listeners;
  if (!Array.isArray(chains) || chains.length < 2) return;
  const filters = [...KIND_FILTERS.values()];
  // The chains a request runs depend only on which kind filters it passes: one list per combination, built when first seen.
  const byKinds = new Map<number, Indexed[]>();
  const chainsFor = (kinds: number): Indexed[] => {
    let list = byKinds.get(kinds);
    if (!list) {
      list = [];
      for (const chain of chains) {
        const filter = chain.length > 0 ? KIND_FILTERS.get(chain[0]) : undefined;
        if (chain.length === 0 || (filter && (kinds & (1 << filters.indexOf(filter))) === 0)) continue;
        list.push({ chain, start: filter && chain.length > 1 ? 1 : 0 });
      }
      byKinds.set(kinds, list);
    }
    return list;
  };
  const dispatch: Middleware<AnyMiddlewareArgs> = async (args) => {
    const a = args as Args;
    let kinds = 0;
    for (let i = 0; i < filters.length; i++) if (filters[i]!(a)) kinds |= 1 << i;
    const list = chainsFor(kinds);
    // One chain (a slash command, most presses): its result is the dispatch's, error as thrown.
    if (list.length === 1) return void (await runChain(list[0]!, a));
    const runs = list.map((indexed) => runChain(indexed, a));
    const failed = (await Promise.allSettled(runs)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 1) throw failed[0]!.reason;
    if (failed.length > 1) throw new MultipleListenerError(failed.map((r) => r.reason));
  };
  holder.listeners = [[dispatch]];
}
