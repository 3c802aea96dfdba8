// The dashboard's side of the GraphQL contract: queries over HTTP POST, subscriptions over the hand-written
// graphql-ws client, and the bearer token (when the server requires one) for both.
// @ts-check
import { createGraphQLWsClient } from './graphql-ws-client.js';

const TOKEN_KEY = 'spinegraph.token';
const ENDPOINT = '/graphql';

export class ApiError extends Error {
  /** @param {string} message @param {string | undefined} code */
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** @param {string} value */
export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<any>} the data; throws ApiError with the first error's message and code
 */
export async function request(query, variables = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json' };
  if (token()) headers.authorization = `Bearer ${token()}`;
  const res = await fetch(ENDPOINT, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  /** @type {{ data?: any, errors?: { message: string, extensions?: { code?: string } }[] }} */
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The server answered ${res.status} ${res.statusText}`, 'INTERNAL_SERVER_ERROR');
  }
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code);
  }
  return body.data;
}

/** @type {ReturnType<typeof createGraphQLWsClient> | undefined} */
let wsClient;
/** @type {Set<(event: import('./graphql-ws-client.js').GraphQLWsStatusEvent) => void>} */
const statusListeners = new Set();

export function liveClient() {
  wsClient ??= createGraphQLWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ENDPOINT}`,
    connectionParams: () => (token() ? { authorization: `Bearer ${token()}` } : {}),
    onStatus: (event) => statusListeners.forEach((l) => l(event)),
  });
  return wsClient;
}

/** @param {(event: import('./graphql-ws-client.js').GraphQLWsStatusEvent) => void} listener @returns {() => void} */
export function onLiveStatus(listener) {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/**
 * @param {string} query @param {Record<string, unknown>} variables
 * @param {(data: any) => void} onData @param {(error: unknown) => void} [onError]
 * @returns {() => void} unsubscribe
 */
export function subscribe(query, variables, onData, onError) {
  return liveClient().subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) onError?.(result.errors);
        else if (result.data) onData(result.data);
      },
      error: onError,
    },
  );
}

export const JOB_FIELDS = `id parentId kind status progress stage message error { code message } result params createdAt startedAt finishedAt`;

export const QUERIES = {
  jobs: `query Jobs($first: Int) { jobs(first: $first) { totalCount edges { node { ${JOB_FIELDS} } } } }`,
  jobUpdated: `subscription JobUpdated { jobUpdated { ${JOB_FIELDS} } }`,
  jobProgress: `subscription JobProgress($jobId: ID!) { jobProgress(jobId: $jobId) { jobId status progress stage message at } }`,
  cancelJob: `mutation CancelJob($id: ID!) { cancelJob(id: $id) { ${JOB_FIELDS} } }`,
  runInference: `mutation RunInference($input: RunInferenceInput!) { runInference(input: $input) { ${JOB_FIELDS} } }`,
  modelSets: `query ModelSets { modelSets { id name isActive createdAt activatedAt metrics } }`,
  activateModelSet: `mutation Activate($id: ID!) { activateModelSet(id: $id) { id name isActive } }`,
  evaluation: `query Evaluation($filter: StudyFilter, $modelSetId: ID) {
    evaluation(filter: $filter, modelSetId: $modelSetId) { score spinal foraminal subarticular anySevereSpinal studyCount rowCount } }`,
  cohortSummary: `query Cohort($filter: StudyFilter, $modelSetId: ID, $source: SeveritySource) {
    cohortSummary(filter: $filter, modelSetId: $modelSetId, source: $source) { studyCount cells { condition level severity count fraction }
      cohort { name version hash } } }`,
  cohortSummaryGrouped: `query CohortGrouped($filter: StudyFilter, $modelSetId: ID, $source: SeveritySource, $groupBy: [Stratifier!]) {
    cohortSummary(filter: $filter, modelSetId: $modelSetId, source: $source, groupBy: $groupBy) { studyCount cohort { name version hash }
      grouping { minGroupSize suppressed suppressedGroups }
      groups { stratum { label studyCount suppressed } cells { condition level severity count fraction } } } }`,
  studyCount: `query StudyCount($filter: StudyFilter) { studies(filter: $filter, first: 1) { totalCount } }`,
  projectsFromStudies: `query ProjectsFromStudies { studies(first: 500) { edges { node { project { id name } } } } }`,
  /** The page size is written into the query: the API's complexity check cannot see variables and assumes the largest page. */
  studies: (/** @type {number} */ pageSize) => `query Studies($filter: StudyFilter, $after: String, $modelSetId: ID) {
    studies(filter: $filter, first: ${Math.trunc(pageSize)}, after: $after, modelSetId: $modelSetId) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id externalId project { name } series { type }
        predictions(modelSetId: $modelSetId) { severity } labels { severity } } } } }`,
  study: `query Study($id: ID!, $modelSetId: ID) {
    study(id: $id) {
      id externalId project { id name }
      series { id externalId type description instanceCount instances { id instanceNumber stackIndex sliceIndex rows columns } }
      predictions(modelSetId: $modelSetId) { condition level normalMild moderate severe severity fallback }
      labels { condition level severity }
      keypoints(modelSetId: $modelSetId) { id level side role source seriesId instanceId pixelX pixelY score }
      labelPoints { condition level seriesId instanceId x y }
    } }`,
  correctKeypoint: `mutation Correct($input: CorrectKeypointInput!) { correctKeypoint(input: $input) { id level side source instanceId pixelX pixelY } }`,
};
