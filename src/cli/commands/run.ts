import { systemClock } from '../../clock.js';
import { Notifier, attachNotifications } from '../../notify/notifier.js';
import { Metrics } from '../../server/metrics.js';
import { startStatusServer } from '../../server/http.js';
import type { CliIO } from '../io.js';
import { loadRuntime, startDaemon } from '../runtime.js';
import { onStopSignal } from '../signals.js';

/**
 * `tracksync run`: the daemon, with its status server (status page, /metrics, /healthz, Notion webhooks) and, when
 * switched on, notifications. Runs until SIGTERM or SIGINT, then stops gracefully and exits 0.
 */
export async function runCommand(_args: string[], _options: Record<string, unknown>, io: CliIO): Promise<number> {
  const runtime = loadRuntime(io, { daemon: true });
  const { config, logger } = runtime;
  const daemon = await startDaemon(runtime);
  const metrics = new Metrics();
  const detachMetrics = metrics.attach(daemon.events);
  const detachNotifications = config.notifications.enabled
    ? attachNotifications({
        events: daemon.events,
        notifier: new Notifier({ ...config.macos, timeoutMs: config.notifications.timeoutMs }, logger),
        config: config.notifications,
        store: daemon.store,
        clock: systemClock,
        logger,
      })
    : () => undefined;
  const server = await startStatusServer({
    daemon,
    metrics,
    logger,
    clock: systemClock,
    stateDir: config.stateDir,
  }).catch(async (error: unknown) => {
    // A port in use: the daemon releases its lock and claims before the CLI exits 2 with the message.
    await daemon.stop('the status server could not start');
    detachNotifications();
    detachMetrics();
    throw error;
  });
  let dispose = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    dispose = onStopSignal((signal) => {
      void (async () => {
        await server?.close();
        await daemon.stop(signal);
        detachNotifications();
        detachMetrics();
        resolve();
      })();
    });
  });
  logger.info(
    {
      stateDir: config.stateDir,
      cron: config.schedule.cycleCron,
      daemonId: daemon.identity.daemonId,
      statusPage: server?.url ?? 'off',
      notifications: config.notifications.enabled,
    },
    'tracksync daemon started',
  );
  daemon.startSchedule();
  await stopped;
  dispose();
  return 0;
}
