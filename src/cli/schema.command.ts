import type { Command } from 'commander';
import { emitSchema } from './schema-emit.js';

export function registerSchemaCommands(program: Command): void {
  const schema = program.command('schema').description('GraphQL schema');
  schema
    .command('emit')
    .description('print the schema to schema.graphql')
    .option('--out <file>', 'output file', 'schema.graphql')
    .action(async (opts: { out: string }) => {
      await emitSchema(opts.out);
      process.stdout.write(`wrote ${opts.out}\n`);
    });
}
