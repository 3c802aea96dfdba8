// Query depth: the most fields nested along one path of an operation, fragments expanded (`{ a { b } }` is 2).
// Introspection fields (`__schema`, `__type`, `__typename`) and what is under them do not count: the standard
// introspection query nests TypeRef.ofType nine deep, and graphql-js's own MaxIntrospectionDepthRule (part of
// specifiedRules since 16.9) already bounds hostile introspection.
import { Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { fragmentsOf, isIntrospectionField } from './fragments.js';
import { queryLimitError } from './limit-error.js';

export function measureDepth(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): number {
  // A fragment's depth does not depend on where it is spread, so each is measured once: without this a chain of
  // fragments each spreading the next twice costs 2^n.
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const walk = (set: SelectionSetNode): number => {
    let depth = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!isIntrospectionField(selection.name.value))
          depth = Math.max(depth, 1 + (selection.selectionSet ? walk(selection.selectionSet) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = Math.max(depth, walk(selection.selectionSet));
      } else {
        depth = Math.max(depth, spread(selection.name.value));
      }
    }
    return depth;
  };

  const spread = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Unknown and cyclic fragments are reported by graphql-js's own rules; here they add nothing.
    if (!fragment || visiting.has(name)) return 0;
    visiting.add(name);
    const depth = walk(fragment.selectionSet);
    visiting.delete(name);
    memo.set(name, depth);
    return depth;
  };

  return walk(selectionSet);
}

/** A graphql-js validation rule refusing operations deeper than `maxDepth` (BAD_USER_INPUT, details.limit QUERY_DEPTH). */
export function createDepthLimitRule(maxDepth: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = measureDepth(node.selectionSet, fragmentsOf(context.getDocument()));
      if (depth > maxDepth) {
        const name = node.name ? ` "${node.name.value}"` : '';
        context.reportError(
          queryLimitError('QUERY_DEPTH', `Operation${name} is nested ${depth} deep; the limit is ${maxDepth}`, { depth, maxDepth }, [node]),
        );
      }
      return false;
    },
  });
}
