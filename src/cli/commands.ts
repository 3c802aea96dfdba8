import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerAdminCommands } from './admin.command.js';
import { registerDbCommands } from './db.command.js';
import { registerDemoCommand } from './demo.command.js';
import { registerExportCommands } from './export.command.js';
import { registerImportCommand } from './import.command.js';
import { registerInferCommand } from './infer.command.js';
import { registerModelsCommands } from './models.command.js';
import { registerSynthCommand } from './synth.command.js';
import { registerTokenCommand } from './token.command.js';
import { registerSchemaCommands } from './schema.command.js';
import { registerServeCommand } from './serve.command.js';
import { registerStorageCommands } from './storage.command.js';
import { registerWorkerCommand } from './worker.command.js';

export function registerCommands(program: Command, ctx: CliContext): void {
  registerServeCommand(program, ctx);
  registerWorkerCommand(program, ctx);
  registerDbCommands(program, ctx);
  registerStorageCommands(program, ctx);
  registerSchemaCommands(program);
  registerDemoCommand(program);
  registerImportCommand(program, ctx);
  registerSynthCommand(program);
  registerInferCommand(program, ctx);
  registerModelsCommands(program, ctx);
  registerExportCommands(program, ctx);
  registerTokenCommand(program, ctx);
  registerAdminCommands(program, ctx);
}
