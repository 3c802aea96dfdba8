/** A one-line progress bar on a terminal; plain milestone lines when stderr is not a TTY. */
export function progressBar(label: string): { update(fraction: number, message?: string): void; done(message?: string): void } {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  return {
    update(fraction, message = '') {
      const f = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const width = 30;
        const filled = Math.round(f * width);
        process.stderr.write(
          `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${message.slice(0, 60).padEnd(60)}`,
        );
      } else {
        const decile = Math.floor(f * 10);
        if (decile > lastDecile) {
          lastDecile = decile;
          process.stderr.write(`${label} ${(f * 100).toFixed(0)}% ${message}\n`);
        }
      }
    },
    done(message = '') {
      if (tty) process.stderr.write(`\r${' '.repeat(110)}\r`);
      if (message) process.stderr.write(`${label} ${message}\n`);
    },
  };
}
