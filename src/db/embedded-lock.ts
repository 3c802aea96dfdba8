// The embedded database is one process's: PGlite keeps it in memory and writes it back, so a second process on the
// same folder would see stale data and corrupt it. A lock file with the owner's pid guards the folder; a lock whose
// process is gone (killed, crashed) is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { AppError } from '../domain/errors.js';

export interface EmbeddedLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<dir>.lock` beside the database folder (PGlite's data folder holds only its own files). */
export function lockEmbeddedDatabase(dir: string): EmbeddedLock {
  const path = `${dir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        rmSync(path, { force: true });
      };
      process.on('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner))
        throw new AppError(
          'CONFLICT',
          `Another spinegraph process (pid ${owner}) has the embedded database at ${dir} open; the embedded database serves one process at a time. Stop that process, or set DATABASE_URL (PostgreSQL) and REDIS_URL to run several.`,
        );
      if (owner === process.pid) throw new AppError('CONFLICT', `This process already has the embedded database at ${dir} open`);
      rmSync(path, { force: true }); // left by a process that no longer runs
    }
  }
  throw new AppError('CONFLICT', `Could not lock the embedded database at ${dir}`);
}
