import { Field, Float, ID, InputType } from 'type-graphql';
import { ConditionEnum, LevelEnum, SeriesTypeEnum, SeverityEnum } from './enums.js';

@InputType({ description: 'Matches a study when, at the level (or any level), the severity is at least `atLeast`.' })
export class SeverityCriterion {
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum, { nullable: true }) level?: LevelEnum | null;
  @Field(() => SeverityEnum) atLeast!: SeverityEnum;
  @Field(() => Float, { nullable: true, description: 'Predictions only: P(severity >= atLeast) must be at least this.' })
  minProbability?: number | null;
}

@InputType({ description: 'Selects studies; every given field must match (AND).' })
export class StudyFilter {
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
  @Field(() => [String], { nullable: true }) externalIds?: string[] | null;
  @Field(() => ID, { nullable: true }) projectId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: studies with at least one label; false: none.' }) labelled?: boolean | null;
  @Field(() => [SeriesTypeEnum], { nullable: true, description: 'Studies that have every one of these series types.' })
  hasSeriesTypes?: SeriesTypeEnum[] | null;
  @Field(() => [SeverityCriterion], { nullable: true, description: 'Against the model set of the query (default: active).' })
  predicted?: SeverityCriterion[] | null;
  @Field(() => [SeverityCriterion], { nullable: true }) labels?: SeverityCriterion[] | null;
}
