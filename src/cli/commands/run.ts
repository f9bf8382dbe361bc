import type { CliIO } from '../io.js';
import { loadRuntime, startDaemon } from '../runtime.js';

/** `tracksync run`: the daemon. Runs until SIGTERM or SIGINT, then stops gracefully and exits 0. */
export async function runCommand(_args: string[], io: CliIO): Promise<number> {
  const runtime = loadRuntime(io);
  const daemon = await startDaemon(runtime);
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void daemon.stop(signal).then(resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  runtime.logger.info({ stateDir: runtime.config.stateDir, cron: runtime.config.schedule.cycleCron, daemonId: daemon.identity.daemonId }, 'tracksync daemon started');
  daemon.startSchedule();
  await stopped;
  return 0;
}
