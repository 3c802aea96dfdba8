import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConditionEnum, LevelEnum, SeverityEnum } from './enums.js';
import { CohortReference } from './saved-cohort.type.js';
import { Grouping, Stratum } from './strata.type.js';

export const MetricPartEnum = {
  OVERALL: 'OVERALL',
  SPINAL: 'SPINAL',
  FORAMINAL: 'FORAMINAL',
  SUBARTICULAR: 'SUBARTICULAR',
  ANY_SEVERE_SPINAL: 'ANY_SEVERE_SPINAL',
} as const;
export type MetricPartEnum = (typeof MetricPartEnum)[keyof typeof MetricPartEnum];
registerEnumType(MetricPartEnum, { name: 'MetricPart', description: 'The RSNA metric, or one of the four losses it averages.' });

@ObjectType({ description: 'A statistic that can be undefined on the data (then value is null and reason says why).' })
export class Statistic {
  @Field(() => Float, { nullable: true }) value!: number | null;
  @Field(() => String, { nullable: true, description: 'Why value is null (e.g. "no positive labels").' }) reason!: string | null;
}

@ObjectType({ description: 'One part of the metric for model sets A and B on the same rows, with a paired bootstrap interval.' })
export class MetricPartComparison {
  @Field(() => MetricPartEnum) part!: MetricPartEnum;
  @Field(() => Float, { nullable: true, description: "A's loss (lower is better); null when no row has this part." }) a!: number | null;
  @Field(() => Float, { nullable: true }) b!: number | null;
  @Field(() => Float, { nullable: true, description: 'b - a: negative when B is better.' }) difference!: number | null;
  @Field(() => Float, { nullable: true, description: 'Lower end of the percentile interval of b - a.' }) lower!: number | null;
  @Field(() => Float, { nullable: true }) upper!: number | null;
  @Field(() => Float, { nullable: true, description: "Share of the resamples where B's loss is strictly lower." }) bBetterShare!:
    number | null;
  @Field(() => Int, { description: 'Resamples in which this part had at least one row.' }) definedResamples!: number;
}

@ObjectType({ description: 'Two model sets compared on the labelled rows both predicted (paired bootstrap over studies).' })
export class ModelSetComparison {
  @Field(() => ID) modelSetA!: string;
  @Field(() => ID) modelSetB!: string;
  @Field(() => Int) studyCount!: number;
  @Field(() => Int) rowCount!: number;
  @Field(() => Int) resamples!: number;
  @Field(() => Int, { description: 'The PRNG seed (mulberry32) used; pass it again to reproduce the interval.' }) seed!: number;
  @Field(() => Float, { description: 'Coverage of the intervals (0.95).' }) level!: number;
  @Field(() => [MetricPartComparison]) parts!: MetricPartComparison[];
  @Field(() => CohortReference, { nullable: true, description: 'The saved cohort of filter.cohortId (cited by this comparison).' })
  cohort!: CohortReference | null;
}

@ObjectType({ description: 'A yes/no reading of the severity (label and argmax): counts and the four rates.' })
export class BinaryAgreement {
  @Field(() => Int) truePositives!: number;
  @Field(() => Int) falsePositives!: number;
  @Field(() => Int) trueNegatives!: number;
  @Field(() => Int) falseNegatives!: number;
  @Field(() => Statistic) sensitivity!: Statistic;
  @Field(() => Statistic) specificity!: Statistic;
  @Field(() => Statistic) ppv!: Statistic;
  @Field(() => Statistic) npv!: Statistic;
}

@ObjectType({ description: 'One non-empty calibration bin.' })
export class ReliabilityBin {
  @Field(() => Int, { description: '0..9' }) bin!: number;
  @Field(() => Float) lower!: number;
  @Field(() => Float) upper!: number;
  @Field(() => Int) count!: number;
  @Field(() => Float) meanPredicted!: number;
  @Field(() => Float, { description: 'Share of the rows in the bin whose label is this class.' }) observed!: number;
}

@ObjectType({ description: "The reliability diagram of one class's probability." })
export class ReliabilityCurve {
  @Field(() => SeverityEnum) severity!: SeverityEnum;
  @Field(() => [ReliabilityBin]) bins!: ReliabilityBin[];
}

@ObjectType({ description: 'Agreement of the model with the labels over one condition at one level, or pooled over levels.' })
export class AgreementGroup {
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum, { nullable: true, description: 'Null: the condition pooled over its five levels.' }) level!: LevelEnum | null;
  @Field(() => Int) rows!: number;
  @Field(() => [[Int]], { description: '3x3 counts: rows the label, columns the argmax (NORMAL_MILD, MODERATE, SEVERE).' })
  confusion!: number[][];
  @Field(() => Statistic, { description: "Quadratic-weighted Cohen's kappa." }) kappa!: Statistic;
  @Field(() => BinaryAgreement) severe!: BinaryAgreement;
  @Field(() => BinaryAgreement) moderateOrWorse!: BinaryAgreement;
  @Field(() => Statistic, { description: 'One-vs-rest ROC AUC of the severe probability for a severe label.' }) severeAuc!: Statistic;
  @Field(() => Statistic, { description: 'Top-label expected calibration error over 10 equal-width bins.' }) ece!: Statistic;
  @Field(() => [ReliabilityCurve]) reliability!: ReliabilityCurve[];
}

@ObjectType({ description: 'Agreement within one stratum of groupBy.' })
export class AgreementStratum {
  @Field(() => Stratum) stratum!: Stratum;
  @Field(() => Int, { nullable: true, description: 'null when the stratum is suppressed.' }) rowCount!: number | null;
  @Field(() => [AgreementGroup], { description: 'As Agreement.groups; empty when the stratum is suppressed.' }) groups!: AgreementGroup[];
}

@ObjectType({ description: "A model set's agreement with the labels of a cohort." })
export class Agreement {
  @Field(() => ID) modelSetId!: string;
  @Field(() => Int) studyCount!: number;
  @Field(() => Int) rowCount!: number;
  @Field(() => [AgreementGroup], { description: 'Per condition: its five levels, then pooled (level null).' }) groups!: AgreementGroup[];
  @Field(() => Grouping, { nullable: true, description: 'null without groupBy.' }) grouping!: Grouping | null;
  @Field(() => [AgreementStratum], { description: 'One per stratum with groupBy (empty without).' }) strata!: AgreementStratum[];
  @Field(() => CohortReference, { nullable: true, description: 'The saved cohort of filter.cohortId (cited by this agreement).' })
  cohort!: CohortReference | null;
}
