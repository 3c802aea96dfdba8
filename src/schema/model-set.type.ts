import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'One trained model (a fold of a role).' })
export class ModelVersion {
  @Field(() => ID) id!: string;
  @Field(() => String) role!: string;
  @Field(() => String) architecture!: string;
  @Field(() => Int, { nullable: true }) fold!: number | null;
  @Field(() => String) sha256!: string;
  @Field(() => GraphQLJSON, { nullable: true }) metrics!: unknown;
}

@ObjectType({ description: 'A named ensemble of model versions; one set is active.' })
export class ModelSet {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean) isActive!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) activatedAt!: Date | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Cross-validated metrics recorded at training time.' }) metrics!: unknown;
}
