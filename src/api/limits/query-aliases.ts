// A cap on aliases per operation: each alias is one more execution of its field (`a1: evaluation ... a1000:
// evaluation`), so one request cannot multiply a costly field past what the complexity budget prices. Counted over
// the whole operation with fragments expanded, each fragment counted every time it is spread.
import { Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { fragmentsOf } from './fragments.js';
import { queryLimitError } from './limit-error.js';

export function countAliases(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const walk = (set: SelectionSetNode): number => {
    let count = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias && selection.alias.value !== selection.name.value) count++;
        if (selection.selectionSet) count += walk(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) count += walk(selection.selectionSet);
      else count += spread(selection.name.value);
    }
    return count;
  };
  const spread = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return 0;
    visiting.add(name);
    const count = walk(fragment.selectionSet);
    visiting.delete(name);
    memo.set(name, count);
    return count;
  };
  return walk(selectionSet);
}

/** A graphql-js validation rule refusing operations with more than `maxAliases` aliases (details.limit QUERY_ALIASES). */
export function createAliasLimitRule(maxAliases: number): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(node) {
      const aliases = countAliases(node.selectionSet, fragmentsOf(context.getDocument()));
      if (aliases > maxAliases) {
        const name = node.name ? ` "${node.name.value}"` : '';
        context.reportError(
          queryLimitError(
            'QUERY_ALIASES',
            `Operation${name} uses ${aliases} aliases; the limit is ${maxAliases}`,
            { aliases, maxAliases },
            [node],
          ),
        );
      }
      return false;
    },
  });
}
