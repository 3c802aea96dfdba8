import { Query, Resolver } from 'type-graphql';
import { SPINEGRAPH_VERSION } from '../version.js';

@Resolver()
export class VersionResolver {
  @Query(() => String, { description: 'The server version.' })
  version(): string {
    return SPINEGRAPH_VERSION;
  }
}
