/**
 * Background work of the server process that runs every so often: started once per process (a second start is a
 * no-op), never two runs at once (a tick while one runs is skipped), timers that do not keep the process alive, and a
 * stop that waits for the run in progress so that the database can close after it (server/lifecycle.ts). The finding
 * schedule (server/findings/schedule.ts) and the notification/webhook loop (server/notify/loop.ts) run on it.
 */

interface Running {
  timer: NodeJS.Timeout;
  current: Promise<unknown> | null;
  stopped: boolean;
}

function registry(): Map<string, Running> {
  const global = globalThis as unknown as { posternPeriodic?: Map<string, Running> };
  global.posternPeriodic ??= new Map();
  return global.posternPeriodic;
}

export interface PeriodicJob {
  everyMs: number;
  /** The first run, this long after the start; without it the first run is one period after the start. */
  firstMs?: number;
  run(): Promise<void>;
  /** Logged when a run fails, before the error's message. */
  failure: string;
}

/** Starts `name` unless this process runs it already. */
export function startPeriodic(name: string, job: PeriodicJob): void {
  const running = registry();
  if (running.has(name)) return;
  const state: Running = { timer: undefined as unknown as NodeJS.Timeout, current: null, stopped: false };
  const tick = () => {
    if (state.stopped || state.current) return;
    state.current = job
      .run()
      .catch((error: unknown) => console.error(`${job.failure}: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        state.current = null;
      });
  };
  if (job.firstMs !== undefined) setTimeout(tick, job.firstMs).unref();
  state.timer = setInterval(tick, job.everyMs);
  state.timer.unref();
  running.set(name, state);
}

/** Stops `name` and waits for its run in progress. */
export async function stopPeriodic(name: string): Promise<void> {
  const running = registry();
  const state = running.get(name);
  if (!state) return;
  state.stopped = true;
  clearInterval(state.timer);
  await state.current;
  running.delete(name);
}
