import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { ConditionEnum, KeypointSourceEnum, LevelEnum, SeverityEnum, SideEnum } from './enums.js';

@ObjectType({ description: "The model set's probabilities for one condition at one level; severity is their argmax." })
export class Prediction {
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => Float) normalMild!: number;
  @Field(() => Float) moderate!: number;
  @Field(() => Float) severe!: number;
  @Field(() => SeverityEnum) severity!: SeverityEnum;
  @Field(() => ID) modelSetId!: string;
  @Field(() => String, { nullable: true, description: 'Set when an input was missing or unusable: how the row was produced and why.' })
  fallback!: string | null;
}

@ObjectType({ description: 'A graded label.' })
export class Label {
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => SeverityEnum) severity!: SeverityEnum;
  @Field(() => String) source!: string;
}

@ObjectType({ description: 'Where a label was placed: a point on one instance of a series (the RSNA label coordinates).' })
export class LabelPoint {
  @Field(() => ConditionEnum) condition!: ConditionEnum;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => ID) seriesId!: string;
  @Field(() => ID, { nullable: true, description: 'Null when no imported instance carries the labelled instance number.' })
  instanceId!: string | null;
  @Field(() => Float, { description: "Column, in the instance's pixel grid." }) x!: number;
  @Field(() => Float, { description: "Row, in the instance's pixel grid." }) y!: number;
}

@ObjectType({ description: 'A point on an image: placed by a model, or a manual correction beside it.' })
export class Keypoint {
  @Field(() => ID) id!: string;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => SideEnum) side!: SideEnum;
  @Field(() => String, { description: 'The model role that placed it (keypoints-sagittal-t2, ...) or "manual".' }) role!: string;
  @Field(() => KeypointSourceEnum) source!: KeypointSourceEnum;
  @Field(() => ID) seriesId!: string;
  @Field(() => ID, { nullable: true }) instanceId!: string | null;
  @Field(() => Float) pixelX!: number;
  @Field(() => Float) pixelY!: number;
  @Field(() => [Float], { description: 'Patient space (DICOM LPS), mm.' }) patientMm!: number[];
  @Field(() => Float, { nullable: true }) score!: number | null;
  @Field(() => ID, { nullable: true }) modelSetId!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'One image of a series, in stack order.' })
export class Instance {
  @Field(() => ID) id!: string;
  @Field(() => Int, { nullable: true }) instanceNumber!: number | null;
  @Field(() => Int) stackIndex!: number;
  @Field(() => Int) sliceIndex!: number;
  @Field(() => Int) rows!: number;
  @Field(() => Int) columns!: number;
  @Field(() => Float, { description: 'Position along the slice normal, mm.' }) slicePosition!: number;
}
