import type { NonEmptyArray } from 'type-graphql';
import { AdministrationResolver } from './administration.resolver.js';
import { AnalyticsResolver } from './analytics.resolver.js';
import { ReviewResolver } from './review.resolver.js';
import { CohortResolver } from './cohort.resolver.js';
import { SavedCohortResolver } from './saved-cohort.resolver.js';
import { DicomwebResolver } from './dicomweb.resolver.js';
import { JobResolver } from './job.resolver.js';
import { ModelSetResolver } from './model-set.resolver.js';
import { MutationResolver } from './mutation.resolver.js';
import { SeriesFieldsResolver, StudyFieldsResolver } from './study-fields.resolver.js';
import { StudyConnectionResolver, StudyResolver } from './study.resolver.js';
import { VersionResolver } from './version.resolver.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  VersionResolver,
  StudyResolver,
  StudyConnectionResolver,
  StudyFieldsResolver,
  SeriesFieldsResolver,
  CohortResolver,
  JobResolver,
  // Before MutationResolver: the order of registration is the order of fields in schema.graphql.
  ModelSetResolver,
  MutationResolver,
  AdministrationResolver,
  DicomwebResolver,
  AnalyticsResolver,
  ReviewResolver,
  SavedCohortResolver,
];
