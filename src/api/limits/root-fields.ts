// The root fields an operation runs, aliases each counted, fragments (inline and spread) at the root expanded: what
// the mutation rate limit counts and the audit log lists. `@skip`/`@include` are not evaluated: a field that may
// run is counted as one that does.
import { Kind, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export function rootFieldsOf(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  const fields: FieldNode[] = [];
  const visiting = new Set<string>();
  const walk = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Unknown and cyclic fragments are refused by graphql-js's own rules.
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        walk(fragment.selectionSet);
        visiting.delete(name);
      }
    }
  };
  walk(operation.selectionSet);
  return fields;
}
