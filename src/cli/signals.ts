/**
 * SIGTERM (launchd, kill) and SIGINT (Ctrl-C) start a graceful stop. The listeners stay registered until the command
 * is done, and a repeated signal is ignored: execa (through signal-exit) re-raises a signal that no other listener
 * handles, so a `process.once` listener, gone after the first call, would let the second delivery of the same signal
 * kill the process in the middle of its shutdown.
 */
export function onStopSignal(handler: (signal: NodeJS.Signals) => void): () => void {
  let fired = false;
  const listener = (signal: NodeJS.Signals): void => {
    if (fired) return;
    fired = true;
    handler(signal);
  };
  process.on('SIGTERM', listener);
  process.on('SIGINT', listener);
  return () => {
    process.off('SIGTERM', listener);
    process.off('SIGINT', listener);
  };
}
