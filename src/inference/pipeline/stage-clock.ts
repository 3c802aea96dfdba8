// Per-stage busy time of a pipeline run, and the serial lane that model runs take.

export class StageClock {
  private readonly ms = new Map<string, number>();
  private readonly started = performance.now();

  add(stage: string, ms: number): void {
    this.ms.set(stage, (this.ms.get(stage) ?? 0) + ms);
  }

  async time<T>(stage: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - t0);
    }
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.ms].map(([k, v]) => [k, Math.round(v * 10) / 10]));
  }

  wallMs(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }
}

/**
 * Model runs go one at a time: each already uses every intra-op thread, and two at once would only contend.
 * Input preparation is not queued, so the next model's tensors are built while the current one runs.
 */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
