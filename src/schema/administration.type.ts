// Projects, accounts, memberships and the audit log as the API shows them to their administrators.
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Project } from './study.type.js';

export enum ProjectRoleEnum {
  ADMIN = 'ADMIN',
  RESEARCHER = 'RESEARCHER',
  VIEWER = 'VIEWER',
}
export enum AuditOutcomeEnum {
  SUCCESS = 'SUCCESS',
  DENIED = 'DENIED',
  ERROR = 'ERROR',
}
registerEnumType(ProjectRoleEnum, {
  name: 'ProjectRole',
  description: 'viewers read; researchers import, infer, train and correct; administrators also manage memberships.',
});
registerEnumType(AuditOutcomeEnum, { name: 'AuditOutcome' });

@ObjectType({ description: 'A project (cohort) the caller can see, with their role in it.' })
export class ProjectAccess {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => ProjectRoleEnum, { description: "The caller's role in it (ADMIN everywhere for system administrators)." })
  role!: ProjectRoleEnum;
}

@ObjectType({ description: 'A user account.' })
export class Account {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => Boolean, { description: 'A system administrator: every project, memberships, the audit log.' }) isAdmin!: boolean;
}

@ObjectType({ description: "A user's role in a project." })
export class Membership {
  @Field(() => Project) project!: Project;
  @Field(() => Account) user!: Account;
  @Field(() => ProjectRoleEnum) role!: ProjectRoleEnum;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'Who is calling, and what they may do.' })
export class Me {
  @Field(() => Account, { nullable: true, description: 'Null with AUTH_MODE=off (the local administrator has no account).' })
  user!: Account | null;
  @Field(() => String) email!: string;
  @Field(() => Boolean) isAdmin!: boolean;
  @Field(() => [Membership]) memberships!: Membership[];
}

@InputType()
export class GrantMembershipInput {
  @Field(() => String, { description: 'Project id or name.' }) project!: string;
  @Field(() => String, { description: 'The account is created when the person has not signed in yet.' }) email!: string;
  @Field(() => ProjectRoleEnum) role!: ProjectRoleEnum;
}

@InputType()
export class RevokeMembershipInput {
  @Field(() => String, { description: 'Project id or name.' }) project!: string;
  @Field(() => String) email!: string;
}

@InputType({ description: 'Every given filter applies (AND).' })
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: 'e.g. mutation.grantMembership, query.studies' }) action?: string | null;
  @Field(() => ID, { nullable: true }) userId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Events naming the project among their targets or in their filter.' })
  projectId?: string | null;
  @Field(() => AuditOutcomeEnum, { nullable: true }) outcome?: AuditOutcomeEnum | null;
  @Field(() => Date, { nullable: true, description: 'At or after.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Before.' }) to?: Date | null;
}

@ObjectType({ description: 'One audited request: who, what, which ids and filter, how it ended.' })
export class AuditEvent {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => ID, { nullable: true }) userId!: string | null;
  @Field(() => String, { nullable: true }) userEmail!: string | null;
  @Field(() => String) action!: string;
  @Field(() => [String]) targetIds!: readonly string[];
  @Field(() => GraphQLJSON, { nullable: true }) filter!: unknown;
  @Field(() => AuditOutcomeEnum) outcome!: AuditOutcomeEnum;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => String, { nullable: true }) detail!: string | null;
}

@ObjectType({ description: 'Newest first; pass endCursor as `after` for the next page.' })
export class AuditEventPage {
  @Field(() => [AuditEvent]) nodes!: AuditEvent[];
  @Field(() => String, { nullable: true }) endCursor!: string | null;
  @Field(() => Boolean) hasNextPage!: boolean;
}
