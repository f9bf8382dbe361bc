import { platform } from 'node:os';
import { systemClock } from '../../clock.js';
import { DEFAULT_SETTINGS } from '../../config/schema.js';
import { ConfigError } from '../../errors.js';
import { checkNotion, type CheckResult, type DoctorReport } from '../../doctor/checks.js';
import {
  checkDeno,
  checkFfmpeg,
  checkFpcalc,
  checkMachine,
  checkYtDlp,
  type MachineContext,
} from '../../doctor/tools.js';
import { silentLogger } from '../../log.js';
import { colorsFor, mark, print, table, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';

/**
 * `tracksync doctor [--json]`: the media tools, Notion (token, databases, schema mapping), the output folders, Eagle,
 * Spotify and the LaunchAgent, each with its fix for this platform (Homebrew on macOS, apt on Debian and Ubuntu);
 * exits 2 when something blocks the job. With a broken configuration the tools are still checked, so one run shows
 * everything to fix.
 */
export async function doctorCommand(_args: string[], values: { json?: boolean }, io: CliIO): Promise<number> {
  let report: DoctorReport;
  const base = {
    logger: silentLogger(),
    clock: systemClock,
    platform: io.platform ?? platform(),
    fetch: globalThis.fetch.bind(globalThis),
  };
  try {
    const runtime = loadRuntime(io, { json: values.json === true });
    const machine: MachineContext = { ...base, config: runtime.config };
    const [tools, notion] = await Promise.all([checkMachine(machine), checkNotion(runtime.config, runtime.logger)]);
    report = { checks: [...notion.checks, ...tools], mapping: notion.mapping };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const machine = { ...base, config: { media: DEFAULT_SETTINGS.media } } as unknown as MachineContext;
    const tools = (
      await Promise.all([checkFfmpeg(machine), checkYtDlp(machine), checkDeno(machine), checkFpcalc(machine)])
    ).flat();
    report = {
      checks: [
        ...error.problems.map((p): CheckResult => ({ name: 'configuration', status: 'fail', detail: p })),
        ...tools,
      ],
      mapping: [],
    };
  }
  const failed = report.checks.some((c) => c.status === 'fail');
  if (values.json) {
    print(io.stdout, JSON.stringify({ ok: !failed, ...report }, null, 2));
    return failed ? 2 : 0;
  }
  const c = colorsFor(io);
  for (const check of report.checks) {
    if (io.quiet && check.status !== 'fail') continue;
    print(io.stdout, `${mark(io, check.status)}  ${check.name}: ${check.detail}`);
    if (check.fix && check.status !== 'ok') print(io.stdout, `      fix: ${c.bold(check.fix)}`);
  }
  if (report.mapping.length > 0 && !io.quiet) {
    print(io.stdout);
    print(io.stdout, 'Schema mapping (semantic field -> live property):');
    const rows = [
      ['database', 'field', 'property', 'type', 'note'],
      ...report.mapping.map((m) => [
        m.database,
        m.field,
        m.property === null ? '-' : JSON.stringify(m.property),
        m.type ?? '-',
        m.note,
      ]),
    ];
    print(io.stdout, table(rows));
  }
  print(io.stdout);
  print(
    io.stdout,
    failed ? c.red('Something blocks the job: fix the FAIL lines above.') : c.green('Nothing blocks the job.'),
  );
  return failed ? 2 : 0;
}
