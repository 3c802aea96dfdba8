import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ConditionEnum, LevelEnum, ManufacturerEnum, SeriesTypeEnum, SeverityEnum, SexEnum } from './enums.js';

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
  @Field(() => [SexEnum], { nullable: true, description: 'Any of these sexes (UNKNOWN: not captured).' }) sexes?: SexEnum[] | null;
  @Field(() => [String], { nullable: true, description: 'Any of these 5-year age bands: "00-04" ... "85-89", "90+", or "unknown".' })
  ageBands?: string[] | null;
  @Field(() => [ManufacturerEnum], { nullable: true, description: 'Any of these scanner vendors (UNKNOWN: not captured).' })
  manufacturers?: ManufacturerEnum[] | null;
  @Field(() => [Float], { nullable: true, description: 'Any of these magnetic field strengths, in tesla (rounded to 0.1).' })
  fieldStrengths?: number[] | null;
  @Field(() => Float, { nullable: true, description: "The study's slice thickness (its thinnest series), at least this many mm." })
  sliceThicknessMin?: number | null;
  @Field(() => Float, { nullable: true, description: "The study's slice thickness, at most this many mm." }) sliceThicknessMax?:
    number | null;
  @Field(() => ID, { nullable: true, description: "A saved cohort's frozen studies (its latest version unless cohortVersion)." })
  cohortId?: string | null;
  @Field(() => Int, { nullable: true, description: 'With cohortId: this version of the cohort.' }) cohortVersion?: number | null;
}
