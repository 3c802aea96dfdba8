// Parameterised SQL built in pieces: every value goes through param(), so fragments compose without renumbering.
export interface SqlFragment {
  readonly text: string;
  readonly params: unknown[];
}

/** Builds parameters as it goes so fragments compose without renumbering. */
export class SqlBuilder {
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}
