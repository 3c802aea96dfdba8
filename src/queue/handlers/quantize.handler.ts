// QUANTIZE jobs: the quantize service (the same code as `spinegraph models quantize`) does the work; this maps the
// job context onto it (progress, cancel).
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { runQuantizeJob } from '../../services/quantize.service.js';
import type { JobHandler } from '../job-runner.js';

export function quantizeHandler(db: Database, config: Config): JobHandler<'QUANTIZE'> {
  return {
    kind: 'QUANTIZE',
    run: (ctx) => runQuantizeJob({ db, config }, ctx.params, { signal: ctx.signal, report: (update) => ctx.progress.report(update) }),
  };
}
