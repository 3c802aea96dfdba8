// The parity suite needs the seed's code and its pinned libraries beside the clone: fail at once, clearly, without.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_DIR = fileURLToPath(new URL('../../../../shared/reference', import.meta.url));

if (!existsSync(`${REFERENCE_DIR}/seed_env.py`) || !existsSync(`${REFERENCE_DIR}/rsna2024-seed/rsna2024/model/model.py`)) {
  throw new Error(
    `npm run test:parity needs the reference code at ${REFERENCE_DIR} (../shared/reference beside the clone: the seed's ` +
      'rsna2024 package with smp 0.3.3 and timm 0.9.2, see its README). It is not there; `npm test` does not need it.',
  );
}
