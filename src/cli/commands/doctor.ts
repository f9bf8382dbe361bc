import { parseArgs } from 'node:util';
import { ConfigError } from '../../errors.js';
import { checkNotion, type CheckResult, type DoctorReport } from '../../doctor/checks.js';
import { print, table, type CliIO } from '../io.js';
import { loadRuntime } from '../runtime.js';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** `tracksync doctor [--json]`: every check with its fix; exits 2 when something blocks the job. */
export async function doctorCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  let report: DoctorReport;
  try {
    const runtime = loadRuntime(io);
    report = await checkNotion(runtime.config, runtime.logger);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report = { checks: error.problems.map((p): CheckResult => ({ name: 'configuration', status: 'fail', detail: p })), mapping: [] };
  }
  const failed = report.checks.some((c) => c.status === 'fail');
  if (values.json) {
    print(io.stdout, JSON.stringify({ ok: !failed, ...report }, null, 2));
    return failed ? 2 : 0;
  }
  for (const check of report.checks) {
    print(io.stdout, `${MARK[check.status]}  ${check.name}: ${check.detail}`);
    if (check.fix && check.status !== 'ok') print(io.stdout, `      fix: ${check.fix}`);
  }
  if (report.mapping.length > 0) {
    print(io.stdout);
    print(io.stdout, 'Schema mapping (semantic field -> live property):');
    const rows = [['database', 'field', 'property', 'type', 'note'], ...report.mapping.map((m) => [m.database, m.field, m.property === null ? '-' : JSON.stringify(m.property), m.type ?? '-', m.note])];
    print(io.stdout, table(rows));
  }
  print(io.stdout);
  print(io.stdout, failed ? 'Something blocks the job: fix the FAIL lines above.' : 'Nothing blocks the job.');
  return failed ? 2 : 0;
}
