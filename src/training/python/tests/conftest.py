import os
import sys
from pathlib import Path

# Before torch loads OpenMP (as the CLI does): spinning threads crawl on a shared 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The test networks are tiny: one thread beats two (and leaves the other core to the rest of the machine).
torch.set_num_threads(1)
