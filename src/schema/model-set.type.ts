import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A named ensemble of model versions; one set is active.' })
export class ModelSet {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean) isActive!: boolean;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) activatedAt!: Date | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Cross-validated metrics recorded at training time.' }) metrics!: unknown;
}
