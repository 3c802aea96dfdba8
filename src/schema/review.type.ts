import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from './connection.type.js';
import { ConditionEnum, LevelEnum, SeverityEnum } from './enums.js';

export const ReviewOrderEnum = { UNCERTAINTY: 'UNCERTAINTY', DISAGREEMENT: 'DISAGREEMENT', MEMBER_SPREAD: 'MEMBER_SPREAD' } as const;
export type ReviewOrderEnum = (typeof ReviewOrderEnum)[keyof typeof ReviewOrderEnum];
registerEnumType(ReviewOrderEnum, {
  name: 'ReviewOrder',
  description: 'How the review queue ranks rows, highest first.',
  valuesConfig: {
    UNCERTAINTY: { description: "Entropy (nats) of the ensemble's three probabilities." },
    DISAGREEMENT: {
      description: "The row's loss against its label weighted as in the metric (1/2/4): a missed severe first. Labelled rows only.",
    },
    MEMBER_SPREAD: {
      description: 'Largest max - min of a class probability across the ensemble members (models x folds). Rows with 2+ members only.',
    },
  },
});

@ObjectType({ description: 'A (study, condition, level) row of the review queue.' })
export class ReviewQueueRow {
  @Field(() => ID) predictionId!: string;
  @Field(() => ID) studyId!: string;
  @Field(() => String) externalId!: string;
  @Field(() => ID) projectId!: string;
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => Float, { description: 'The score of the order asked for.' }) score!: number;
  @Field(() => Float) normalMild!: number;
  @Field(() => Float) moderate!: number;
  @Field(() => Float) severe!: number;
  @Field(() => SeverityEnum) predicted!: SeverityEnum;
  @Field(() => SeverityEnum, { nullable: true }) label!: SeverityEnum | null;
  @Field(() => Int, { description: 'Ensemble members whose probabilities are stored (0 for rows written before they were kept).' })
  members!: number;
}

@ObjectType()
export class ReviewQueueEdge {
  @Field(() => ReviewQueueRow) node!: ReviewQueueRow;
  @Field(() => String) cursor!: string;
}

@ObjectType()
export class ReviewQueueConnection {
  @Field(() => [ReviewQueueEdge]) edges!: ReviewQueueEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType({ description: "A row marked reviewed, with the reviewer's label if it differs." })
export class MarkReviewedInput {
  @Field(() => ID) studyId!: string;
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => SeverityEnum, { nullable: true, description: 'Corrected label (source: review); the original label is kept.' })
  severity?: SeverityEnum | null;
  @Field(() => String, { nullable: true }) note?: string | null;
}

@ObjectType({ description: 'A reviewed row: the correction (source: review) beside what the label said when reviewed.' })
export class ReviewMark {
  @Field(() => ID) studyId!: string;
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => SeverityEnum, { nullable: true }) severity!: SeverityEnum | null;
  @Field(() => SeverityEnum, { nullable: true }) labelSeverity!: SeverityEnum | null;
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => ID, { nullable: true }) reviewedById!: string | null;
  @Field(() => Date) reviewedAt!: Date;
}
