export { createDepthLimitRule, measureDepth } from './query-depth.js';
export {
  createComplexityRule,
  measureComplexity,
  operationComplexity,
  DEFAULT_LIST_SIZE,
  type ComplexityOptions,
  type ComplexityLimitOptions,
} from './query-complexity.js';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions, type RateDecision } from './rate-limiter.js';
export { createMutationRateLimitPlugin, createComplexityPlugin } from './apollo-plugins.js';
export { queryLimitError, type QueryLimit } from './limit-error.js';
export { createRedisRateLimiter, type AsyncRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { createAliasLimitRule, countAliases } from './query-aliases.js';
export { rootFieldsOf } from './root-fields.js';
export { AGGREGATE_FIELD_COSTS, fieldCost } from './field-costs.js';
