// Grouped answers (groupBy): the group a row of the answer belongs to, and how the answer was grouped and suppressed.
// Shared by every grouped query (cohortSummary, evaluation, and any other that takes groupBy).
import { Field, Int, ObjectType } from 'type-graphql';
import { StratifierEnum } from './enums.js';

@ObjectType({ description: "One stratifier's value in a group." })
export class StratumValue {
  @Field(() => StratifierEnum) by!: StratifierEnum;
  @Field(() => String, { description: 'F, M, O; "60-64", "90+"; SIEMENS; "1.5", "3"; or "unknown" (not captured).' })
  value!: string;
}

@ObjectType({ description: 'A group of studies of a grouped answer.' })
export class Stratum {
  @Field(() => [StratumValue], { description: 'One value per stratifier of groupBy, in its order.' }) key!: StratumValue[];
  @Field(() => String, { description: 'The values joined: "F / 60-64".' }) label!: string;
  @Field(() => Int, { nullable: true, description: 'null when suppressed.' }) studyCount!: number | null;
  @Field(() => Boolean, { description: 'Fewer studies than minGroupSize, withheld (non-administrators): no count, no statistic.' })
  suppressed!: boolean;
}

@ObjectType({ description: 'How a grouped answer was grouped, and whether small groups were withheld (small-cell suppression).' })
export class Grouping {
  @Field(() => [StratifierEnum]) groupBy!: StratifierEnum[];
  @Field(() => Int, { description: 'Groups with fewer studies are suppressed for non-administrators (MIN_GROUP_SIZE).' })
  minGroupSize!: number;
  @Field(() => Boolean, { description: 'At least one group was suppressed.' }) suppressed!: boolean;
  @Field(() => Int) suppressedGroups!: number;
}
