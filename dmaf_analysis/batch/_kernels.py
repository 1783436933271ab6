"""Warm Jupyter kernels that execute many notebooks one after another.

Starting a Python kernel and importing pandas, matplotlib and seaborn takes a few
seconds; executing a report notebook in an already warm kernel takes a fraction of
that. A :class:`WarmKernel` starts one ipykernel (IPC transport, in-memory
history), imports the heavy modules once, and between two notebooks puts the
kernel back into the state of a fresh one:

* the user namespace is cleared with IPython's ``reset(new_session=True)``, which
  also sets the execution counter back to 1 (so cells number from ``[1]`` as in
  a fresh kernel); imported modules stay in ``sys.modules``, so the notebook's
  imports cost nothing the second time;
* every matplotlib figure is closed and ``rcParams`` are restored (a notebook that
  calls ``seaborn.set_theme`` does not restyle the next one);
* warning filters are restored and the "already shown" registries invalidated,
  so a warning appears in every report that triggers it;
* the working directory, ``sys.path``, environment variables and pandas options
  are restored.

Each kernel's connection file (which holds its key) and sockets live in a private
folder ``<tmp>/dmaf-k-<pid>-*``. The folder is removed when the kernel stops, at
the latest when the driver process exits (``atexit``, which also runs after
Ctrl-C or SIGTERM); folders left by a driver killed outright (``kill -9``) are
removed by the next batch, once their process is gone.

The functions whose names start with ``_kernel_`` run *inside* the kernel; this
module therefore imports nothing heavy at the top.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

from ..errors import KernelSetupError

__all__ = ["DEFAULT_PRELOAD", "sweep_stale_kernel_dirs", "WarmKernel"]

#: Modules imported once when a kernel starts: what a city card uses. The national reports import the
#: statistics and plotting stack (scipy, seaborn, ``dmaf_analysis.national``) themselves, so a kernel that
#: renders only cards never loads it (about 1.7 CPU-s per kernel).
DEFAULT_PRELOAD = ("numpy", "pandas", "matplotlib.pyplot", "IPython.display", "dmaf_analysis",
                   "dmaf_analysis.scoring", "dmaf_analysis.card", "dmaf_analysis.sensitivity")

_STATE: dict = {}

#: Kernel folders of this process that still exist (removed at exit if a kernel did not stop).
_LIVE_DIRS: set[str] = set()
_DIR_PREFIX = "dmaf-k-"
_swept = False


def _remove_live_dirs() -> None:
    for folder in list(_LIVE_DIRS):
        shutil.rmtree(folder, ignore_errors=True)
        _LIVE_DIRS.discard(folder)


atexit.register(_remove_live_dirs)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process
    return True


def sweep_stale_kernel_dirs(tmp: str | None = None) -> list[str]:
    """Remove the kernel folders of driver processes that no longer exist; return them."""
    root = Path(tmp or tempfile.gettempdir())
    removed = []
    try:
        candidates = list(root.glob(f"{_DIR_PREFIX}*-*"))
    except OSError:
        return removed
    for folder in candidates:
        pid = folder.name[len(_DIR_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


def _new_kernel_dir() -> str:
    global _swept
    if not _swept:
        _swept = True
        sweep_stale_kernel_dirs()
    folder = tempfile.mkdtemp(prefix=f"{_DIR_PREFIX}{os.getpid()}-")
    _LIVE_DIRS.add(folder)
    return folder


# ----------------------------------------------------------------- runs in the kernel
def _kernel_warm_up(preload: list[str]) -> None:
    """Import ``preload`` and remember the pristine state to restore later."""
    import gc
    import importlib
    import warnings

    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that fails here fails visibly in the notebook
            pass
    import matplotlib

    backend = matplotlib.get_backend().lower()
    if "inline" not in backend:
        ip = _ipython()
        if ip is not None:
            ip.run_line_magic("matplotlib", "inline")
    _STATE.clear()
    _STATE.update(
        rc=dict(matplotlib.rcParams),
        filters=list(warnings.filters),
        cwd=os.getcwd(),
        path=list(sys.path),
        environ=dict(os.environ),
        modules=set(sys.modules),
    )
    # Everything loaded so far lives as long as the kernel: keep it out of the
    # garbage collector's scans, which makes each later collection cheaper.
    gc.collect()
    gc.freeze()


def _kernel_reset() -> None:
    """Bring the kernel back to the state recorded by :func:`_kernel_warm_up`."""
    import gc
    import warnings

    ip = _ipython()
    if ip is not None:
        # IPython's reset runs a full gc.collect() (about 0.1-0.2 s with pandas and
        # matplotlib loaded); the next automatic collection frees the same memory.
        collect = gc.collect
        gc.collect = lambda *args, **kwargs: 0
        try:
            ip.reset(new_session=True)
        finally:
            gc.collect = collect
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib
        import matplotlib.pyplot as plt

        plt.close("all")
        rc = _STATE.get("rc")
        if rc is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                matplotlib.rcParams.update(rc)
    if "pandas" in sys.modules:
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.reset_option("all")
    if "filters" in _STATE:
        warnings.filters[:] = _STATE["filters"]
        mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
        if mutated is not None:  # invalidates every module's "already warned" registry
            mutated()
    if "cwd" in _STATE:
        os.chdir(_STATE["cwd"])
        sys.path[:] = _STATE["path"]
        if dict(os.environ) != _STATE["environ"]:
            os.environ.clear()
            os.environ.update(_STATE["environ"])


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - always there in a kernel
        return None
    return get_ipython()


# ----------------------------------------------------------------- runs in the driver
class WarmKernel:
    """One ipykernel kept running to execute many notebooks in turn.

    Parameters
    ----------
    kernel_name : str, default "python3"
        Kernel spec to start.
    cwd : path, optional
        Working directory of the kernel (default: the current one), as papermill does.
    preload : sequence of str
        Modules imported once at start-up.
    startup_timeout : float, default 60
        Seconds to wait for the kernel to answer after start-up.

    Use :meth:`start`, then :meth:`reset` before each notebook (executed through
    :attr:`km` and :attr:`client`), and :meth:`shutdown` at the end; or use the
    object as a context manager. One kernel belongs to one thread: the thread that
    started it must run everything on it (only :meth:`kill` may come from another).
    """

    def __init__(self, *, kernel_name: str = "python3", cwd: str | Path | None = None,
                 preload: tuple[str, ...] | list[str] = DEFAULT_PRELOAD, startup_timeout: float = 60):
        self.kernel_name = kernel_name
        self.cwd = str(cwd or os.getcwd())
        self.preload = list(preload)
        self.startup_timeout = startup_timeout
        self.km = None
        #: The kernel's one client (asyncio, tied to the thread that started the kernel).
        self.client = None
        self._dir: str | None = None
        self.notebooks_run = 0
        self.starts = 0

    # context manager -------------------------------------------------------
    def __enter__(self) -> WarmKernel:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    # lifecycle -------------------------------------------------------------
    @property
    def is_alive(self) -> bool:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process is not None and process.poll() is None

    def start(self) -> None:
        """Start the kernel and import the preloaded modules."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.km is not None:
            self.shutdown()
        # Unix sockets need a short path; keep the connection and socket files together.
        self._dir = _new_kernel_dir()
        stem = os.path.join(self._dir, f"k-{uuid.uuid4().hex[:8]}")
        # nbclient drives the kernel with asyncio, so it needs the async manager; the
        # manager's coroutines run on this thread's event loop (the one nbclient uses).
        # IPC (Unix sockets) where available: no TCP ports to find, nothing on the network.
        transport = "tcp" if os.name == "nt" else "ipc"
        km = AsyncKernelManager(kernel_name=self.kernel_name, transport=transport)
        km.connection_file = stem + ".json"
        if transport == "ipc":
            km.ip = stem + "-ipc"
        self.km = km
        try:
            run_sync(km.start_kernel)(cwd=self.cwd, extra_arguments=["--HistoryManager.hist_file=:memory:"])
            self.starts += 1
            self.notebooks_run = 0
            kc = km.client()
            kc.allow_stdin = False
            kc.start_channels()
            self.client = kc
            run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
            self._run_silently(
                f"import dmaf_analysis.batch._kernels as _dmaf_kernels\n"
                f"_dmaf_kernels._kernel_warm_up({self.preload!r})\n"
                f"del _dmaf_kernels")
        except BaseException:
            self.shutdown()
            raise

    def reset(self) -> None:
        """Clear the namespace and restore the pristine state (see the module docstring)."""
        if not self.is_alive:
            self.start()
        self._run_silently("__import__('importlib').import_module('dmaf_analysis.batch._kernels')._kernel_reset()")

    def restart(self) -> None:
        """Shut the kernel down and start a fresh one."""
        self.shutdown()
        self.start()

    def shutdown(self) -> None:
        """Stop the kernel and remove its connection and socket files."""
        from jupyter_core.utils import run_sync

        if self.client is not None:
            try:
                self.client.stop_channels()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
            self.client = None
        if self.km is not None:
            km, self.km = self.km, None
            try:
                if km.has_kernel:
                    run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001
                self._kill_process(km)
            try:
                run_sync(km.cleanup_resources)()
            except Exception:  # noqa: BLE001
                pass
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            _LIVE_DIRS.discard(self._dir)
            self._dir = None

    def remove_files(self) -> None:
        """Remove the kernel's connection and socket folder now (after :meth:`kill`, from any thread)."""
        folder = self._dir
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
            _LIVE_DIRS.discard(folder)

    def kill(self) -> None:
        """Kill the kernel process at once; safe to call from another thread.

        The thread that is executing a notebook on this kernel then sees the kernel
        die (nbclient raises ``DeadKernelError``) and can finish.
        """
        if self.km is not None:
            self._kill_process(self.km)

    @staticmethod
    def _kill_process(km) -> None:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            try:
                process.kill()
            except OSError:
                pass

    # helpers ---------------------------------------------------------------
    def _run_silently(self, code: str, timeout: float = 120) -> None:
        """Execute ``code`` without touching the execution counter; raise on error."""
        from jupyter_core.utils import run_sync

        kc = self.client
        assert kc is not None
        reply = run_sync(kc.execute_interactive)(textwrap.dedent(code), silent=True, store_history=False,
                                                 allow_stdin=False, timeout=timeout,
                                                 output_hook=lambda msg: None)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelSetupError(f"kernel set-up code failed: {content.get('ename')}: {content.get('evalue')}")
