"""Turn a model spec and a device/quantization choice into a loaded chat model.

Specs: ``default`` and ``qwen-1.5b`` (packaged), ``fake``, a checkpoint directory, a ``.gguf`` file, or a
Hugging Face hub id. ``--llm-url`` selects an OpenAI-compatible server instead of a local model.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from settings import Settings

from .errors import LLMError
from .packaged import PACKAGED, Progress, convert_gguf, packaged_checkpoint


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise LLMError("--device cuda was asked for, but no CUDA device is available")
    return device


def resolve_quantization(device: str, quantization: str) -> str:
    """``auto`` is nf4 on CUDA and full precision (fp32) on the CPU, the fastest measured there."""
    if quantization == "auto":
        return "nf4" if device == "cuda" else "none"
    return quantization


def load_kwargs(device: str, quantization: str) -> dict:
    """``from_pretrained`` keyword arguments for a device and a quantization choice."""
    import torch
    from transformers import BitsAndBytesConfig

    if device == "cuda":
        compute = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        kwargs = {"device_map": "auto", "dtype": compute}
        if quantization == "nf4":
            kwargs["quantization_config"] = BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=compute)
        elif quantization == "int8":
            kwargs["quantization_config"] = BitsAndBytesConfig(load_in_8bit=True)
        return kwargs
    kwargs = {"dtype": torch.float32, "device_map": "cpu"}
    if quantization == "nf4":  # bitsandbytes on the CPU: works, slower than fp32 here
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32)
    return kwargs


def checkpoint_for(spec: str, cache_dir: Path, progress: Progress) -> str:
    """A local checkpoint directory (or hub id) for a model spec, converting GGUF files once."""
    if spec in PACKAGED:
        return str(packaged_checkpoint(spec, cache_dir, progress))
    path = Path(spec).expanduser()
    if path.suffix == ".gguf":
        if not path.exists():
            raise LLMError(f"model file {path} does not exist")
        key = hashlib.sha1(f"{path.resolve()}:{path.stat().st_size}:{path.stat().st_mtime}".encode()).hexdigest()[:12]
        return str(convert_gguf(path, cache_dir / f"{path.stem}-{key}", progress))
    if path.exists():
        if not (path / "config.json").exists():
            raise LLMError(f"{path} is not a transformers checkpoint (no config.json)")
        return str(path)
    if spec.startswith((".", "/", "~")) or spec.count("/") != 1:
        raise LLMError(f"model {spec!r} not found: give 'default', 'qwen-1.5b', a checkpoint folder, "
                       "a .gguf file or a hub id such as Qwen/Qwen2.5-0.5B-Instruct")
    return spec  # a hub id


def load_local_model(spec: str, settings: Settings, progress: Progress = print):
    """Load tokenizer and model for ``spec`` on the configured device with the configured quantization."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    from .local import LocalChatModel

    logging.disable_progress_bar()

    device = resolve_device(settings.device)
    quantization = resolve_quantization(device, settings.quantization)
    source = checkpoint_for(spec, Path(settings.data_dir) / "models", progress)
    progress(f"loading {Path(source).name} on {device} ({quantization})")
    started = time.perf_counter()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, **load_kwargs(device, quantization))
    except OSError as exc:
        raise LLMError(f"could not load model {spec!r}: {str(exc).splitlines()[0]} "
                       "(the hub is unreachable without a network; use a local folder or .gguf file)") from None
    if device == "cpu" and quantization == "int8":
        import torch

        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    model.eval()
    return LocalChatModel(model, tokenizer, name=Path(source).name, load_seconds=time.perf_counter() - started)


def load_chat_model(settings: Settings, progress: Progress = print):
    """The chat model the settings ask for: a served endpoint, the fake, or a local model."""
    if settings.llm_url:
        from .remote import RemoteChatModel

        return RemoteChatModel(settings.llm_url, settings.model)
    if settings.model == "fake":
        from .fake import FakeChatModel

        return FakeChatModel()
    return load_local_model(settings.model, settings, progress)
