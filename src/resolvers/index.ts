import type { NonEmptyArray } from 'type-graphql';
import { StudyResolver } from './study.resolver.js';
import { VersionResolver } from './version.resolver.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [VersionResolver, StudyResolver];
