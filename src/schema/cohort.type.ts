import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { ConditionEnum, LevelEnum, SeverityEnum, SeveritySourceEnum } from './enums.js';
import { CohortReference } from './saved-cohort.type.js';
import { Grouping, Stratum } from './strata.type.js';

@ObjectType({ description: 'How many studies have this severity for this condition and level.' })
export class CohortCell {
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => SeverityEnum) severity!: SeverityEnum;
  @Field(() => Int) count!: number;
  @Field(() => Float, { description: 'count / studies graded at this condition and level (0 when none).' }) fraction!: number;
}

@ObjectType({ description: 'The severity cells of one group of a grouped cohortSummary.' })
export class CohortSummaryGroup {
  @Field(() => Stratum) stratum!: Stratum;
  @Field(() => [CohortCell], { description: 'All 75 cells; empty when the group is suppressed.' }) cells!: CohortCell[];
}

@ObjectType({ description: 'Severity across a cohort: all 75 condition x level x severity cells.' })
export class CohortSummary {
  @Field(() => Int) studyCount!: number;
  @Field(() => SeveritySourceEnum) source!: SeveritySourceEnum;
  @Field(() => ID, { nullable: true }) modelSetId!: string | null;
  @Field(() => [CohortCell]) cells!: CohortCell[];
  @Field(() => Grouping, { nullable: true, description: 'null without groupBy.' }) grouping!: Grouping | null;
  @Field(() => [CohortSummaryGroup], { description: 'One per group with groupBy (empty without).' }) groups!: CohortSummaryGroup[];
  @Field(() => CohortReference, {
    nullable: true,
    description: 'The saved cohort of filter.cohortId, with its hash (shown, not cited: a summary describes the cohort).',
  })
  cohort!: CohortReference | null;
}

@ObjectType({ description: 'The competition metric over a set of studies (lower is better).' })
export class EvaluationScores {
  @Field(() => Float, { nullable: true, description: 'Mean of the four losses; null when nothing is scorable.' }) score!: number | null;
  @Field(() => Float, { nullable: true }) spinal!: number | null;
  @Field(() => Float, { nullable: true }) foraminal!: number | null;
  @Field(() => Float, { nullable: true }) subarticular!: number | null;
  @Field(() => Float, { nullable: true }) anySevereSpinal!: number | null;
  @Field(() => Int) studyCount!: number;
  @Field(() => Int, { description: 'Labelled rows that had a prediction.' }) rowCount!: number;
}

@ObjectType({ description: 'The metric over one group of a grouped evaluation.' })
export class EvaluationGroup {
  @Field(() => Stratum) stratum!: Stratum;
  @Field(() => EvaluationScores, { nullable: true, description: 'null when the group is suppressed.' }) scores!: EvaluationScores | null;
}

@ObjectType({ description: 'The RSNA 2024 competition metric over the labelled rows of a cohort (lower is better).' })
export class Evaluation extends EvaluationScores {
  @Field(() => ID, { nullable: true }) modelSetId!: string | null;
  @Field(() => Grouping, { nullable: true, description: 'null without groupBy.' }) grouping!: Grouping | null;
  @Field(() => [EvaluationGroup], { description: 'One per group with groupBy (empty without).' }) groups!: EvaluationGroup[];
  @Field(() => CohortReference, { nullable: true, description: 'The saved cohort of filter.cohortId (cited by this evaluation).' })
  cohort!: CohortReference | null;
}
