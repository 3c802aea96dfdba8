// One data file of the exported tensors: float32 rows appended in sample order, little-endian, no header.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export class F32GroupWriter<S> {
  private handle: FileHandle | undefined;
  private rowLength: number | undefined;
  readonly samples: S[] = [];

  constructor(
    private readonly dir: string,
    readonly file: string,
    /** Row shape without the batch axis, e.g. [5, 256, 256]. */
    readonly rowShape: readonly number[],
  ) {}

  async append(row: Float32Array, sample: S): Promise<void> {
    const length = this.rowShape.reduce((a, b) => a * b, 1);
    if (row.length !== length)
      throw new Error(`${this.file}: a row of ${row.length} values, shape ${this.rowShape.join('x')} needs ${length}`);
    this.rowLength = length;
    this.handle ??= await open(join(this.dir, this.file), 'w');
    // The trainer reads little-endian float32; Node only runs on little-endian hosts we support.
    await this.handle.write(new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
    this.samples.push(sample);
  }

  get rows(): number {
    return this.samples.length;
  }

  get bytes(): number {
    return this.samples.length * (this.rowLength ?? 0) * 4;
  }

  /** Closes the file; an empty group still gets its (empty) file so the index never names a missing one. */
  async close(): Promise<void> {
    this.handle ??= await open(join(this.dir, this.file), 'w');
    await this.handle.close();
  }

  describe(): { file: string; dtype: 'float32'; shape: number[]; samples: S[] } {
    return { file: this.file, dtype: 'float32', shape: [this.samples.length, ...this.rowShape], samples: this.samples };
  }
}
