import { Field, ID, Int, ObjectType } from 'type-graphql';
import { SeriesTypeEnum } from './enums.js';

@ObjectType({ description: 'A research project: every study belongs to one.' })
export class Project {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
}

@ObjectType({ description: 'One MRI series of a study.' })
export class Series {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The series id in the source data, e.g. the RSNA series_id.' }) externalId!: string;
  @Field(() => SeriesTypeEnum) type!: SeriesTypeEnum;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { nullable: true, description: 'SAGITTAL, CORONAL, AXIAL or OBLIQUE, from the slice normal.' }) orientation!:
    string | null;
  @Field(() => Int) instanceCount!: number;
  @Field(() => Int) stackCount!: number;
  @Field(() => [Number], { description: 'DICOM PixelSpacing [row, column] in mm.' }) pixelSpacing!: number[];
  @Field(() => Number, { nullable: true }) sliceThickness!: number | null;
  @Field(() => Number, { nullable: true }) spacingBetweenSlices!: number | null;
}

@ObjectType({ description: 'A lumbar spine MRI study. Carries no patient-identifying attributes.' })
export class Study {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The study id in the source data, e.g. the RSNA study_id.' }) externalId!: string;
  projectId!: string;
  @Field(() => Date) createdAt!: Date;
}
