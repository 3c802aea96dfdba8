import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { LevelEnum, SideEnum } from './enums.js';
import { StudyFilter } from './study-filter.input.js';

@InputType()
export class ImportStudiesInput {
  @Field(() => String, { nullable: true, description: "A folder inside one of the server's DATA_ROOTS (RSNA layout or plain DICOM)." })
  path?: string | null;
  @Field(() => String, { nullable: true, description: 'Instead of a path: a DICOMweb source (by name) to pull studyInstanceUids from.' })
  source?: string | null;
  @Field(() => [String], { nullable: true, description: "With source: the source's Study Instance UIDs (from dicomwebSearch)." })
  studyInstanceUids?: string[] | null;
  @Field(() => ID, { nullable: true, description: 'The project by id (or give `project`).' }) projectId?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The project by id or name. Neither given: the one project where you may import, or the default project for a system administrator.',
  })
  project?: string | null;
}

@InputType({ description: 'Which studies: studyIds, or a filter (not both).' })
export class RunInferenceInput {
  @Field(() => [ID], { nullable: true }) studyIds?: string[] | null;
  @Field(() => StudyFilter, { nullable: true }) filter?: StudyFilter | null;
  @Field(() => ID, { nullable: true, description: 'Default: the active model set.' }) modelSetId?: string | null;
}

@InputType()
export class StartTrainingInput {
  @Field(() => StudyFilter, { nullable: true, description: 'The labelled cohort to train on (default: every labelled study you can see).' })
  filter?: StudyFilter | null;
  @Field(() => String, { description: '"tiny" | "small" | "full"' }) config!: string;
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'Activate the new model set when training succeeds.' })
  activate?: boolean;
  @Field(() => String, { nullable: true, description: 'Name of the new model set.' }) name?: string | null;
}

@InputType({ description: 'A static int8 copy of a model set, calibrated on studies where you may train (registered inactive).' })
export class QuantizeModelSetInput {
  @Field(() => ID, { description: 'The float model set, by id or name.' }) modelSetId!: string;
  @Field(() => String, { description: 'Name of the new set: 1-64 letters, digits, dots, dashes or underscores.' }) name!: string;
  @Field(() => Int, { nullable: true, defaultValue: 20, description: 'How many studies to calibrate activation ranges on (1-1000).' })
  calibrationStudies?: number | null;
  @Field(() => StudyFilter, { nullable: true, description: 'Which studies to calibrate on (default: every study where you may train).' })
  filter?: StudyFilter | null;
}

@InputType({ description: "A manual keypoint, stored beside the model's (which stays)." })
export class CorrectKeypointInput {
  @Field(() => ID) studyId!: string;
  @Field(() => ID) instanceId!: string;
  @Field(() => LevelEnum) level!: LevelEnum;
  @Field(() => SideEnum, { nullable: true, defaultValue: 'NONE' }) side?: SideEnum;
  @Field(() => Float, { description: "Column, in the instance's pixel grid." }) pixelX!: number;
  @Field(() => Float, { description: "Row, in the instance's pixel grid." }) pixelY!: number;
  @Field(() => String, { nullable: true, description: 'Which keypoint this corrects, e.g. keypoints-sagittal-t2.' }) role?: string | null;
}
