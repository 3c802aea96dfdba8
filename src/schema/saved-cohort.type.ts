import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { StudyFilter } from './study-filter.input.js';

@ObjectType({ description: 'One saved version of a cohort: the study ids its filter matched when saved, frozen.' })
export class CohortVersion {
  @Field(() => ID) id!: string;
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { description: 'The StudyFilter it was saved with, as JSON.' }) filterJson!: string;
  @Field(() => [ID], { description: 'Sorted.' }) studyIds!: string[];
  @Field(() => Int) studyCount!: number;
  @Field(() => String, { description: 'SHA-256 (hex) of the sorted study ids joined by newlines.' }) hash!: string;
  @Field(() => String, { description: 'Who saved it (email).' }) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'A named, versioned cohort of a project.' })
export class SavedCohort {
  @Field(() => ID) id!: string;
  @Field(() => ID) projectId!: string;
  @Field(() => String) name!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => CohortVersion) latest!: CohortVersion;
  @Field(() => [CohortVersion], { description: 'Newest first.' }) versions!: CohortVersion[];
  @Field(() => Int, { description: 'Evaluations and exports that used it; a cited cohort cannot be deleted.' }) citations!: number;
}

@ObjectType({ description: 'The saved cohort an evaluation or export used: cite it with its hash.' })
export class CohortReference {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Int) version!: number;
  @Field(() => String) hash!: string;
  @Field(() => Int) studyCount!: number;
}

@InputType()
export class SaveCohortInput {
  @Field(() => ID) projectId!: string;
  @Field(() => String, { description: 'Saving a name the project already has makes its next version.' }) name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => StudyFilter, { nullable: true, description: 'Within the project; predicted criteria read the active model set.' })
  filter?: StudyFilter | null;
}
