"""A first generation in a child process before the server loads a GGUF model with llama.cpp.

A llama.cpp build or model that crashes on this CPU (the AMX kernels of a native build did, on Sapphire Rapids
Xeons) then kills the child, not the server. The modes are tried in order: ``default``, then ``safe`` (no extra
buffer types: no AMX, no weight repacking); when both crash, ``LLMError`` says so with the way out. The verdict
is cached beside the model, keyed by the model file, the llama.cpp build and the CPU, so later starts pay nothing
and a change of any of the three probes again.

``python -m chat_app.llm.cpu_guard RUNNER MODEL MODE`` is the child: ``RUNNER`` (``module:function``) is called
with the model's path and the mode's load options (tests give runners that crash on purpose).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import LLMError

MODES = {"default": {}, "safe": {"extra_bufts": False}}
RUNNER = "chat_app.llm.cpu_guard:generate_once"
TIMEOUT = 300.0  # seconds for one probe: loading and a few tokens take about 2 s on a 2-core CPU
SAFE_NOTICE = ("llama.cpp crashed on this CPU with its default settings, so the model runs with safe settings "
               "(no AMX or weight repacking): answers may come a little slower.")
WAY_OUT = ("rebuild llama-cpp-python with the portable flags (`make llama-rebuild`, README: 'CPUs and the llama.cpp "
           "build'), or serve the model elsewhere and start with --llm-url")


def load_options(model: Path, progress: Callable[[str], None] = print, runner: str = RUNNER) -> dict:
    """The llama.cpp load options that ran a generation on this CPU (``{}`` for the defaults)."""
    cache = model.with_name(model.name + ".cpu-probe.json")
    key = fingerprint(model)
    try:
        saved = json.loads(cache.read_text())
        if saved.get("key") == key and saved.get("mode") in MODES:
            return MODES[saved["mode"]]
    except (OSError, ValueError, AttributeError):
        pass
    progress(f"checking that llama.cpp runs {model.name} on this CPU (once per model, build and CPU)")
    failures = []
    for mode, options in MODES.items():
        try:
            failure = probe(runner, model, mode)
        except ProbeError:
            return options  # no crash but an ordinary error (a damaged file): loading here will say which
        if failure is None:
            if failures:
                progress(f"{SAFE_NOTICE} ({failures[0]})")
            cache.write_text(json.dumps({"key": key, "mode": mode}))
            return options
        failures.append(failure)
    raise LLMError(f"llama.cpp crashes on this CPU ({platform_name()}) with {model.name}, even with safe settings "
                   f"({'; '.join(failures)}): {WAY_OUT}")


class ProbeError(Exception):
    """The child failed without crashing (a Python exception): nothing this CPU is to blame for."""


def probe(runner: str, model: Path, mode: str) -> str | None:
    """None if the child generated, else how it crashed in a few words; ``ProbeError`` if it failed otherwise."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run([sys.executable, "-m", __name__, runner, str(model), mode], env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"{mode} settings: no answer in {TIMEOUT:.0f} s"
    if done.returncode == 0:
        return None
    code = done.returncode
    if code > 0:
        raise ProbeError(done.stderr.strip()[-300:])
    name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
    return f"{mode} settings: killed by {name}"


def fingerprint(model: Path) -> str:
    """The model file, the installed llama.cpp build and the CPU, as one digest."""
    parts = [_stat(model)]
    spec = importlib.util.find_spec("llama_cpp")
    if spec and spec.origin:
        package = Path(spec.origin).parent
        parts += [_stat(p) for p in sorted(package.glob("lib/*")) + [package / "__init__.py"]]
    parts.append(platform_name() + " " + " ".join(sorted(cpu_flags())))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _stat(path: Path) -> str:
    info = path.stat()
    return f"{path.name}:{info.st_size}:{info.st_mtime_ns}"


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def platform_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def generate_once(model: Path, **options) -> None:
    """Load the model with ``options`` and generate a few tokens (the crash showed on the first forward pass)."""
    from .llamacpp import LlamaCppChatModel

    llm = LlamaCppChatModel(model, n_ctx=256, **options)
    "".join(llm.stream([{"role": "user", "content": "Say hi."}], 4))


def _child(runner: str, model: str, mode: str) -> None:
    module, function = runner.split(":")
    getattr(importlib.import_module(module), function)(Path(model), **MODES[mode])


if __name__ == "__main__":
    _child(*sys.argv[1:4])
