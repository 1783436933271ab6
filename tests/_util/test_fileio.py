"""Writing outputs: a named pipe without a reader is an error at once, never a wait."""
from __future__ import annotations

import os
import subprocess
import sys
import threading


def test_an_output_fifo_without_a_reader_is_an_error_not_a_wait(tmp_path):
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    code = ("import sys\nfrom dmaf_analysis._util.fileio import write_text_atomic\nfrom dmaf_analysis.errors import "
            "WriteError\ntry:\n    write_text_atomic(sys.argv[1], 'a,b\\n')\nexcept WriteError as exc:\n"
            "    print(exc)\n    sys.exit(1)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "named pipe (FIFO) that no program is reading" in proc.stdout and str(fifo) in proc.stdout


def test_an_output_fifo_with_a_reader_gets_the_data(tmp_path):
    from dmaf_analysis._util.fileio import write_text_atomic

    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    import time

    for _ in range(100):  # the reader's open must come first, as with 'cat FIFO &'
        time.sleep(0.02)
        try:
            write_text_atomic(fifo, "x" * 200_000)
            break
        except OSError:
            continue
    reader.join(timeout=30)
    assert got == [b"x" * 200_000]
