// Query depth: the most fields nested along one path of an operation, fragments expanded (`{ a { b } }` is 2).
// Introspection subtrees do not count against the application limit (the standard introspection query nests
// TypeRef.ofType nine deep) but have a bound of their own, so `__type { fields { type { fields ...` cannot run away.
import { Kind, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { fragmentsOf, isIntrospectionField } from './fragments.js';
import { queryLimitError } from './limit-error.js';

/** Deep enough for graphql-js's getIntrospectionQuery() (depth 13 counted from `__schema`). */
export const DEFAULT_MAX_INTROSPECTION_DEPTH = 16;

export interface OperationDepth {
  /** Depth of the application fields. */
  readonly depth: number;
  /** Depth of the deepest introspection subtree, counted from its `__schema`/`__type` field. */
  readonly introspectionDepth: number;
}

export function measureDepth(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): OperationDepth {
  // Fragment depth does not depend on where it is spread, so each is measured once: without this a chain of
  // fragments each spreading the next twice costs 2^n.
  const memo = new Map<string, OperationDepth>();
  const visiting = new Set<string>();

  const walk = (set: SelectionSetNode, inIntrospection: boolean): OperationDepth => {
    let depth = 0;
    let introspectionDepth = 0;
    for (const selection of set.selections) {
      let inner: OperationDepth;
      if (selection.kind === Kind.FIELD) {
        const introspective = inIntrospection || isIntrospectionField(selection.name.value);
        const below = selection.selectionSet ? walk(selection.selectionSet, introspective) : { depth: 0, introspectionDepth: 0 };
        inner = introspective
          ? { depth: 0, introspectionDepth: 1 + Math.max(below.depth, below.introspectionDepth) }
          : { depth: 1 + below.depth, introspectionDepth: below.introspectionDepth };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = walk(selection.selectionSet, inIntrospection);
      } else {
        inner = spread(selection.name.value, inIntrospection);
      }
      depth = Math.max(depth, inner.depth);
      introspectionDepth = Math.max(introspectionDepth, inner.introspectionDepth);
    }
    return { depth, introspectionDepth };
  };

  const spread = (name: string, inIntrospection: boolean): OperationDepth => {
    const key = `${name}|${inIntrospection}`;
    const known = memo.get(key);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown and cyclic fragments are reported by graphql-js's own rules; here they add nothing.
    if (!fragment || visiting.has(name)) return { depth: 0, introspectionDepth: 0 };
    visiting.add(name);
    const result = walk(fragment.selectionSet, inIntrospection);
    visiting.delete(name);
    memo.set(key, result);
    return result;
  };

  return walk(selectionSet, false);
}

export interface DepthLimitOptions {
  readonly maxDepth: number;
  readonly maxIntrospectionDepth?: number;
}

/** A graphql-js validation rule refusing operations deeper than `maxDepth` (BAD_USER_INPUT, details.limit QUERY_DEPTH). */
export function createDepthLimitRule(options: DepthLimitOptions): ValidationRule {
  const maxIntrospectionDepth = options.maxIntrospectionDepth ?? DEFAULT_MAX_INTROSPECTION_DEPTH;
  return (context): ASTVisitor => {
    let fragments: ReadonlyMap<string, FragmentDefinitionNode> | undefined;
    const fragmentsFor = (document: DocumentNode) => (fragments ??= fragmentsOf(document));
    return {
      OperationDefinition(node) {
        const { depth, introspectionDepth } = measureDepth(node.selectionSet, fragmentsFor(context.getDocument()));
        const name = node.name ? ` "${node.name.value}"` : '';
        if (depth > options.maxDepth) {
          context.reportError(
            queryLimitError('QUERY_DEPTH', `Operation${name} is nested ${depth} deep; the limit is ${options.maxDepth}`, { depth, maxDepth: options.maxDepth }, [node]),
          );
        }
        if (introspectionDepth > maxIntrospectionDepth) {
          context.reportError(
            queryLimitError(
              'QUERY_DEPTH',
              `Introspection in operation${name} is nested ${introspectionDepth} deep; the limit is ${maxIntrospectionDepth}`,
              { depth: introspectionDepth, maxDepth: maxIntrospectionDepth },
              [node],
            ),
          );
        }
        return false;
      },
    };
  };
}
