#!/usr/bin/env node
/// <reference types="node" />
// The `descent` command: train, compare, lr-find, tune, eval, export, recipes (Node only). One file per command in
// commands/, each with its typed flags; this file dispatches and turns errors into exit codes.
import { resolve } from 'node:path';
import { type FlagSpecs, UsageError, helpText } from './args.js';
import { RECIPE_NAMES } from './run-config.js';
import { OPTIMIZER_NAMES } from './optimizers.js';
import { TRAIN_FLAGS, TRAIN_HELP, train } from './commands/train.js';
import { COMPARE_FLAGS, COMPARE_HELP, compare } from './commands/compare.js';
import { LR_FIND_FLAGS, LR_FIND_HELP, lrFindCommand } from './commands/lr-find.js';
import { TUNE_FLAGS, TUNE_HELP, tuneCommand } from './commands/tune.js';
import { EVAL_FLAGS, EVAL_HELP, evalCommand } from './commands/eval.js';
import { EXPORT_FLAGS, EXPORT_HELP, exportCommand } from './commands/export.js';
import { RECIPES_HELP, recipesCommand } from './commands/recipes.js';

const MAIN_HELP = `Usage: descent <command> [options]

Train neural networks by gradient descent.

Commands:
  train [RECIPE|CONFIG.json]   train a model (default: mnist-cnn, the CNN of npm start)
  compare                      the same model, data and seed with several optimizers, side by side
  lr-find [RECIPE]             learning-rate range test (Smith 2015): loss against learning rate, a suggested rate
  tune                         hyperparameter search (grid, random, successive halving) in worker processes
  eval CHECKPOINT              evaluate a checkpoint (a run folder or a checkpoint folder) on the held-out data
  export RUN                   write a run's model for other tools: --onnx (ONNX Runtime), --safetensors (PyTorch)
  recipes                      list the recipes

Run 'descent <command> --help' for the options of a command.
Recipes: ${RECIPE_NAMES.join(', ')}. Optimizers: ${OPTIMIZER_NAMES.join(', ')}.
`;

interface Command {
  run: (argv: string[]) => Promise<number>;
  help: { usage: string; description: string };
  flags?: FlagSpecs;
}

const COMMANDS: Record<string, Command> = {
  train: { run: train, help: TRAIN_HELP, flags: TRAIN_FLAGS },
  compare: { run: compare, help: COMPARE_HELP, flags: COMPARE_FLAGS },
  'lr-find': { run: lrFindCommand, help: LR_FIND_HELP, flags: LR_FIND_FLAGS },
  tune: { run: tuneCommand, help: TUNE_HELP, flags: TUNE_FLAGS },
  eval: { run: evalCommand, help: EVAL_HELP, flags: EVAL_FLAGS },
  export: { run: exportCommand, help: EXPORT_HELP, flags: EXPORT_FLAGS },
  recipes: { run: recipesCommand, help: RECIPES_HELP },
};

/** Runs the CLI with `argv` (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(MAIN_HELP);
      return command ? 0 : 1;
    }
    const cmd = COMMANDS[command];
    if (!cmd) throw new UsageError(`descent: unknown command '${command}' (valid commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      const { usage, description } = cmd.help;
      process.stdout.write(cmd.flags ? helpText(usage, description, cmd.flags) : `Usage: ${usage}\n\n${description}\n`);
      return 0;
    }
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`descent ${command}: ${(e as Error).message}\n`);
    return 1;
  }
}

// Run when executed directly (bin or node dist/cli/main.js), not when imported by tests.
const invoked = process.argv[1] ? resolve(process.argv[1]) : '';
if (invoked && (invoked === resolve(new URL(import.meta.url).pathname) || /[\\/]descent$/.test(invoked))) {
  process.exitCode = await main(process.argv.slice(2));
}
