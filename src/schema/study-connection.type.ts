import { Field, ObjectType } from 'type-graphql';
import type { StudySelection } from '../domain/study-filter.js';
import { PageInfo } from './connection.type.js';
import { Study } from './study.type.js';

@ObjectType()
export class StudyEdge {
  @Field(() => Study) node!: Study;
  @Field(() => String) cursor!: string;
}

@ObjectType()
export class StudyConnection {
  @Field(() => [StudyEdge]) edges!: StudyEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  /** What `totalCount` counts; the count runs only when a query asks for it. */
  selection!: StudySelection;
}
