import type { Command } from 'commander';

export function registerSchemaCommands(program: Command): void {
  const schema = program.command('schema').description('GraphQL schema');
  schema
    .command('emit')
    .description('print the schema to schema.graphql')
    .option('--out <file>', 'output file', 'schema.graphql')
    .action(async (opts: { out: string }) => {
      const { emitSchema } = await import('./schema-emit.js');
      await emitSchema(opts.out);
      process.stdout.write(`wrote ${opts.out}\n`);
    });
}
