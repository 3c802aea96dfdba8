import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './connection.type.js';
import { JobKindEnum, JobStatusEnum } from './enums.js';

@ObjectType({ description: 'Why a job failed.' })
export class JobError {
  @Field(() => String) code!: string;
  @Field(() => String) message!: string;
}

@ObjectType({
  description: 'An import, inference, training or quantization job. The database row is the record; it survives a Redis flush.',
})
export class Job {
  @Field(() => ID) id!: string;
  @Field(() => JobKindEnum) kind!: JobKindEnum;
  @Field(() => JobStatusEnum) status!: JobStatusEnum;
  @Field(() => Float, { description: '0..1' }) progress!: number;
  @Field(() => String, { nullable: true }) stage!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => JobError, { nullable: true }) error!: JobError | null;
  @Field(() => GraphQLJSON, { nullable: true }) result!: unknown;
  @Field(() => GraphQLJSON, { description: 'What was asked for.' }) params!: unknown;
  @Field(() => Int) attempts!: number;
  @Field(() => ID, { nullable: true }) parentId!: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}

@ObjectType()
export class JobEdge {
  @Field(() => Job) node!: Job;
  @Field(() => String) cursor!: string;
}

@ObjectType()
export class JobConnection {
  @Field(() => [JobEdge]) edges!: JobEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType({ description: 'One change of a job: its state at that moment.' })
export class JobProgressEvent {
  @Field(() => ID) jobId!: string;
  @Field(() => JobStatusEnum) status!: JobStatusEnum;
  @Field(() => Float) progress!: number;
  @Field(() => String, { nullable: true }) stage!: string | null;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => Date) at!: Date;
}
