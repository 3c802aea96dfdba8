import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay page info.' })
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Page<T> {
  readonly nodes: readonly T[];
  readonly cursors: readonly string[];
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

/** Builds a connection's edges and page info from a page; each connection type declares its own edge type. */
export function toConnection<T>(page: Page<T>): { edges: { node: T; cursor: string }[]; pageInfo: PageInfo } {
  const edges = page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
