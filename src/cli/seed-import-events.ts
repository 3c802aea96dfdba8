// `models import-seed` progress: the converter's JSON-lines events as console lines.
import type { TrainerEvent } from '../training/trainer-process.js';

export function describeSeedImportEvent(e: TrainerEvent): string | undefined {
  const pct = typeof e.progress === 'number' ? ` [${Math.round(e.progress * 100)}%]` : '';
  switch (e.event) {
    case 'start':
      return `converting ${String(e.checkpoints)} checkpoint(s) of ${String(e.models)} seed model(s)`;
    case 'model':
      return `${String(e.model)}: ${String(e.role)}${e.backbone ? ` (${String(e.backbone)})` : ''}, folds ${JSON.stringify(e.folds)}`;
    case 'export':
      return `  fold ${String(e.fold)} -> ${String(e.file)} (${String(e.seconds)} s)${pct}`;
    case 'done':
      return 'converted; checking every model in onnxruntime against PyTorch and registering';
    default:
      return undefined; // 'error': the thrown error says it
  }
}
