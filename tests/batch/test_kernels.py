"""The state reset a warm kernel runs between two notebooks (dmaf_analysis.batch.kernels).

``_kernel_warm_up`` records the pristine state and ``_kernel_reset`` restores it.
Both normally run inside a Jupyter kernel; here they run in a fresh Python
process (they change the working folder, the environment and global options, so
not in the test process itself), which also checks that they need no IPython.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import json, os, sys, warnings
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from dmaf_analysis.batch import _kernels as kernels

    def snapshot():
        return {
            "linewidth": matplotlib.rcParams["lines.linewidth"],
            "n_filters": len(warnings.filters),
            "cwd": os.getcwd(),
            "path": list(sys.path),
            "max_rows": pd.get_option("display.max_rows"),
            "env_added": os.environ.get("DMAF_KERNEL_TEST"),
            "env_removed": os.environ.get("DMAF_KEEP_ME"),
            "figures": plt.get_fignums(),
        }

    kernels._kernel_warm_up(["pandas", "matplotlib.pyplot"])
    before = snapshot()

    # what a notebook might do
    matplotlib.rcParams["lines.linewidth"] = before["linewidth"] + 4.5
    warnings.simplefilter("error")
    warnings.filterwarnings("ignore", message="left behind by a notebook")
    os.chdir(sys.argv[1])
    os.environ["DMAF_KERNEL_TEST"] = "set by a notebook"
    os.environ.pop("DMAF_KEEP_ME")
    sys.path.insert(0, sys.argv[1])
    pd.set_option("display.max_rows", 3)
    plt.figure()
    changed = snapshot()
    kernels._kernel_reset()
    after = snapshot()
    print(json.dumps({"before": before, "changed": changed, "after": after}))
""")


def test_reset_restores_what_a_notebook_changed(tmp_path):
    env_extra = {"DMAF_KEEP_ME": "from the driver"}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                            env={**os.environ, **env_extra}, cwd=os.getcwd(), timeout=120)
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    before, changed, after = state["before"], state["changed"], state["after"]
    # the notebook's changes took effect ...
    assert changed["linewidth"] == before["linewidth"] + 4.5
    assert changed["n_filters"] == before["n_filters"] + 2
    assert changed["max_rows"] == 3 != before["max_rows"]
    assert os.path.realpath(changed["cwd"]) == os.path.realpath(tmp_path)
    assert changed["path"][0] == str(tmp_path)
    assert changed["env_added"] == "set by a notebook" and changed["env_removed"] is None
    assert len(changed["figures"]) == 1
    # ... and the reset undid every one of them
    assert after == before
    assert before["env_added"] is None and before["env_removed"] == "from the driver" and before["figures"] == []
