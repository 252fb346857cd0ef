/// <reference types="node" />
// descent export RUN --onnx --safetensors [options]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatShape } from '../../tensor/shape.js';
import { zeros } from '../../index.js';
import { exportOnnx, loadCheckpoint, saveSafetensors } from '../../node/index.js';
import { UsageError, defineFlags, parseArgs, withDefaults } from '../args.js';
import { RECIPE_NAMES, checkpointAndRecipe } from '../run-config.js';
import { out, outputFolder } from '../output.js';

export const EXPORT_FLAGS = defineFlags({
  onnx: { type: 'boolean', help: 'write model.onnx: the forward pass for ONNX Runtime (Node, browsers, Python, C++, ...)' },
  safetensors: { type: 'boolean', help: "write model.safetensors: the state dict, as PyTorch's load_state_dict(strict=True) takes it" },
  out: { type: 'string', help: 'folder for the files', defaultHelp: 'the run folder', placeholder: 'DIR' },
  recipe: { type: 'string', help: 'the recipe the checkpoint was trained with (default: from the run\'s config.json)', choices: RECIPE_NAMES, placeholder: 'NAME' },
  'batch-size': { type: 'number', integer: true, range: 'positive', help: 'the batch size of the ONNX graph (its shapes are fixed)', default: 1 },
  opset: { type: 'number', integer: true, range: [17, 21], help: 'the ONNX opset', default: 17 },
});

export const EXPORT_HELP = {
  usage: 'descent export RUN --onnx --safetensors [options]',
  description: 'Exports the newest checkpoint of a run folder (or a checkpoint folder) for other tools: --onnx writes model.onnx for ONNX Runtime, --safetensors writes model.safetensors for PyTorch (the same module written in PyTorch loads it with load_state_dict(strict=True); see docs/scale.md).',
};

/** Runs `descent export`; returns the exit code. */
export async function exportCommand(argv: string[]): Promise<number> {
  const { given, positionals } = parseArgs(argv, EXPORT_FLAGS, 'export');
  const flags = withDefaults(EXPORT_FLAGS, given);
  if (positionals.length !== 1) throw new UsageError('descent export: expected one RUN (a run folder or a checkpoint folder)');
  if (!flags.onnx && !flags.safetensors) throw new UsageError('descent export: nothing to write; pass --onnx, --safetensors or both');
  const { folder, recipe } = checkpointAndRecipe('export', positionals[0], flags.recipe);
  const run = resolve(positionals[0]);
  const dir = outputFolder('export', flags.out ?? (existsSync(join(run, 'trainer.json')) ? dirname(run) : run)); // a checkpoint folder's run folder
  const model = recipe.model();
  model.loadStateDict(loadCheckpoint(folder).model);
  model.eval();
  out(`${folder} (${recipe.name})`);
  if (flags.safetensors) {
    const path = join(dir, 'model.safetensors');
    const state = model.stateDict();
    saveSafetensors(path, state, { recipe: recipe.name });
    out(`safetensors: ${path} (${Object.keys(state).length} tensors, ${model.numParameters().toLocaleString('en-US')} parameters)`);
  }
  if (flags.onnx) {
    const { test } = await recipe.data();
    const sample = test.getItem(0)[0];
    const input = zeros([flags.batchSize, ...sample.shape]);
    const path = join(dir, 'model.onnx');
    const bytes = exportOnnx(model, input, path, { opsetVersion: flags.opset });
    const output = (model as unknown as (x: typeof input) => { shape: number[] })(input);
    out(`onnx: ${path} (${bytes.length.toLocaleString('en-US')} bytes, opset ${flags.opset}, input ${formatShape(input.shape)} -> output ${formatShape(output.shape)})`);
  }
  return 0;
}
