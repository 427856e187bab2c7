"""Where the repository and the shared real datasets are (importable by any test module).

Test modules import these from here, not from ``conftest``: pytest loads several conftest files
(tests/, tests/browser/, tests/grading/) and only one of them can be the module ``conftest``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CITYKIT_SHARED", ROOT.parent / "shared"))
REALDATA = SHARED / "realdata"
