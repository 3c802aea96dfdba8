import { Kind, type DocumentNode, type FragmentDefinitionNode } from 'graphql';

export function fragmentsOf(document: DocumentNode): ReadonlyMap<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return fragments;
}

/** `__schema`, `__type`, `__typename`: answered by graphql-js from the schema, not by our resolvers. */
export function isIntrospectionField(name: string): boolean {
  return name.startsWith('__');
}
