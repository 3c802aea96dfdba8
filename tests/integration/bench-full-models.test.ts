// The Python half of `npm run bench -- inference`: full_models.py's FLOP counter and positional prior, run with
// Debian's PyTorch (skipped where /usr/bin/python3 has no torch). Integration, not unit: it spawns Python.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PYTHON, TRAINER_PYTHONPATH } from '../../bench/inference/full-model-set.js';

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!torchAvailable())('full_models.py', () => {
  it('counts 2 x multiply-adds of convolutions (grouped too), linear layers and bidirectional GRUs', () => {
    const script = [
      'import json, torch',
      'from torch import nn',
      'from full_models import count_flops',
      'print(json.dumps([',
      '  count_flops(nn.Conv2d(2, 4, 3, padding=1), [2, 8, 8]),',
      '  count_flops(nn.Conv2d(4, 4, 3, padding=1, groups=4), [4, 8, 8]),',
      '  count_flops(nn.Linear(5, 7), [3, 5]),',
      '  count_flops(nn.GRU(6, 5, num_layers=2, batch_first=True, bidirectional=True), [4, 6]),',
      ']))',
    ].join('\n');
    const out = execFileSync(PYTHON, ['-c', script], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
    });
    // conv: 4x8x8 outputs x 2x3x3; depthwise: 4x8x8 x 1x3x3; linear: 3 rows x 5x7;
    // GRU: 4 steps x 2 directions x 3 gates x ((6 + 5) x 5 in layer 1, (10 + 5) x 5 in layer 2).
    expect(JSON.parse(out.toString())).toEqual([2 * 256 * 18, 2 * 256 * 9, 2 * 105, 2 * 4 * 2 * 3 * (11 * 5 + 15 * 5)]);
  }, 120_000);

  it('puts each heatmap channel of a positional-prior model at its centre', () => {
    const script = [
      'import json, torch',
      'from torch import nn',
      'from full_models import WithPositionalPrior',
      'm = WithPositionalPrior(nn.Conv2d(1, 2, 1), [[3, 5], [10, 2]], 16).eval()',
      'with torch.no_grad():',
      // Zero input: the network adds a constant per channel, so the prior alone places the peak.
      '    y = m(torch.zeros(1, 1, 16, 16))[0]',
      'print(json.dumps([[int(i) % 16, int(i) // 16] for i in y.reshape(2, -1).argmax(dim=1)]))',
    ].join('\n');
    const out = execFileSync(PYTHON, ['-c', script], {
      env: { ...process.env, PYTHONPATH: TRAINER_PYTHONPATH, PYTHONDONTWRITEBYTECODE: '1' },
    });
    expect(JSON.parse(out.toString())).toEqual([
      [3, 5],
      [10, 2],
    ]);
  }, 120_000);
});
