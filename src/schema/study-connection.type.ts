import { Field, Int, ObjectType } from 'type-graphql';
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
  @Field(() => Int) totalCount!: number;
}
