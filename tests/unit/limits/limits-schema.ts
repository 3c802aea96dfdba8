// A small schema shaped like spinegraph's: a study connection, lists with and without page arguments.
import { buildSchema } from 'graphql';

export const limitsSchema = buildSchema(`
  type Query {
    study(id: ID!): Study
    studies(first: Int, after: String): StudyConnection!
    projects: [Project!]!
    search: [SearchHit!]!
  }
  type Mutation { importStudies(dir: String!): Boolean }
  type StudyConnection { edges: [StudyEdge!]! nodes: [Study!]! pageInfo: PageInfo! totalCount: Int! }
  type StudyEdge { cursor: String! node: Study! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type Study { id: ID! externalId: String! project: Project! series: [Series!]! predictions(first: Int = 25): [Prediction!]! }
  type Series { id: ID! instances(first: Int): [Instance!]! study: Study! }
  type Instance { id: ID! }
  type Prediction { id: ID! level: String }
  type Project { id: ID! name: String! studies(first: Int): StudyConnection! }
  union SearchHit = Study | Project
`);
