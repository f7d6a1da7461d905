/*
 * One clean-up registry for a test file: whatever a test starts (servers, clients, raw sockets,
 * timers) registers its own clean-up, and `afterEach(cleanup)` undoes all of it, so that one
 * failing test leaves nothing running for the next.
 */

const steps: (() => unknown)[] = [];

/** Registers a clean-up step; steps run last-registered first (clients before their server). */
export function onCleanup(step: () => unknown): void {
  steps.push(step);
}

/**
 * Runs and clears every registered step. Use as `afterEach(cleanup)`. Every step runs even when
 * one fails; the first failure is rethrown once all have run.
 */
export async function cleanup(): Promise<void> {
  let failure: { error: unknown } | undefined;
  while (steps.length > 0) {
    const step = steps.pop()!;
    try {
      await step();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== undefined) throw failure.error;
}
