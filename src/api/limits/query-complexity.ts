// Query complexity: an estimate of the rows a query can touch. Every field costs 1 (an aggregate over a cohort
// more: field-costs.ts; each alias of it again); a field returning a page or
// a list multiplies the cost of what is selected under it:
//   - a field with a `first`/`last` argument by that number (a connection: `studies(first: 50) { edges { node } }`
//     counts its 50 nodes once: the `edges`/`nodes` list directly under it is that same page, not another x10);
//   - any other list field by `defaultListSize` (10);
//   - each multiplier capped at `maxListSize` (the API's page-size limit refuses more anyway).
// Variables: their value when known (`variables`), else their default, else the cap: the static validation rule
// cannot see variable values and must assume the worst. Introspection fields cost 1 each and never multiply.
import {
  Kind,
  getNamedType,
  getNullableType,
  getOperationAST,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type ArgumentNode,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { fieldCost } from './field-costs.js';
import { fragmentsOf, isIntrospectionField } from './fragments.js';
import { queryLimitError } from './limit-error.js';

export const DEFAULT_LIST_SIZE = 10;
const PAGE_ARGUMENTS = ['first', 'last'] as const;

export interface ComplexityOptions {
  /** Multiplier for list fields without a page argument. */
  readonly defaultListSize?: number;
  /** Upper bound of any one multiplier: the API's maximum page size. */
  readonly maxListSize: number;
}

export interface ComplexityLimitOptions extends ComplexityOptions {
  readonly maxComplexity: number;
}

type Variables = Readonly<Record<string, unknown>>;

/** The complexity of one operation of a validated document. */
export function operationComplexity(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  options: ComplexityOptions,
  variables?: Variables,
): number {
  const defaultListSize = Math.min(options.defaultListSize ?? DEFAULT_LIST_SIZE, options.maxListSize);
  const definitions = new Map<string, VariableDefinitionNode>((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]));
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const pageArgument = (value: ValueNode): number | undefined => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind !== Kind.VARIABLE) return undefined;
    const name = value.name.value;
    const known = variables?.[name];
    if (typeof known === 'number') return known;
    const fallback = definitions.get(name)?.defaultValue;
    if (fallback?.kind === Kind.INT) return Number(fallback.value);
    return variables ? undefined : options.maxListSize;
  };

  /** The page a field returns, or undefined for a field without page arguments. */
  const pageSize = (field: GraphQLField<unknown, unknown>, args: readonly ArgumentNode[]): number | undefined => {
    const declared = field.args.filter((a) => (PAGE_ARGUMENTS as readonly string[]).includes(a.name));
    if (declared.length === 0) return undefined;
    for (const arg of declared) {
      const given = args.find((a) => a.name.value === arg.name);
      const size = given ? pageArgument(given.value) : undefined;
      if (size !== undefined) return size;
    }
    const schemaDefault = declared.map((a) => a.defaultValue).find((v): v is number => typeof v === 'number');
    return schemaDefault ?? defaultListSize;
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType, pagedParent: boolean, introspective: boolean): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (introspective || isIntrospectionField(name)) {
          total += 1 + (selection.selectionSet ? selectionCost(selection.selectionSet, parent, false, true) : 0);
          continue;
        }
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        // Unknown fields are reported by graphql-js's own rules.
        if (!field) {
          total += 1;
          continue;
        }
        const named = getNamedType(field.type);
        const page = pageSize(field, selection.arguments ?? []);
        const isList = isListType(getNullableType(field.type));
        let multiplier = 1;
        if (page !== undefined) multiplier = page;
        else if (isList && !pagedParent) multiplier = defaultListSize;
        multiplier = Math.max(0, Math.min(multiplier, options.maxListSize));
        const below =
          selection.selectionSet && isCompositeType(named) ? selectionCost(selection.selectionSet, named, page !== undefined, false) : 0;
        total += fieldCost(parent, field) + multiplier * below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += selectionCost(selection.selectionSet, typed && isCompositeType(typed) ? typed : parent, pagedParent, introspective);
      } else {
        total += spreadCost(selection.name.value, parent, pagedParent, introspective);
      }
    }
    return total;
  };

  const spreadCost = (name: string, parent: GraphQLCompositeType, pagedParent: boolean, introspective: boolean): number => {
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return 0;
    const key = `${name}|${pagedParent}|${introspective}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const typed = schema.getType(fragment.typeCondition.name.value);
    visiting.add(name);
    const cost = selectionCost(fragment.selectionSet, typed && isCompositeType(typed) ? typed : parent, pagedParent, introspective);
    visiting.delete(name);
    memo.set(key, cost);
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionCost(operation.selectionSet, root, false, false) : 0;
}

/** The complexity of the operation a request runs, with its variables known (e.g. in graphql-ws `onSubscribe`). */
export function measureComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: ComplexityOptions,
  request: { readonly operationName?: string | null; readonly variables?: Variables | null } = {},
): number {
  const operation = getOperationAST(document, request.operationName ?? undefined);
  return operation ? operationComplexity(schema, operation, fragmentsOf(document), options, request.variables ?? {}) : 0;
}

/** A graphql-js validation rule refusing operations above `maxComplexity` (BAD_USER_INPUT, details.limit QUERY_COMPLEXITY). */
export function createComplexityRule(options: ComplexityLimitOptions): ValidationRule {
  return (context): ASTVisitor => ({
    OperationDefinition(node) {
      const complexity = operationComplexity(context.getSchema(), node, fragmentsOf(context.getDocument()), options);
      if (complexity > options.maxComplexity) {
        const name = node.name ? ` "${node.name.value}"` : '';
        context.reportError(
          queryLimitError(
            'QUERY_COMPLEXITY',
            `Operation${name} has complexity ${complexity}; the limit is ${options.maxComplexity} (ask for smaller pages)`,
            { complexity, maxComplexity: options.maxComplexity },
            [node],
          ),
        );
      }
      return false;
    },
  });
}
