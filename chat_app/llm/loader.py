"""Turn the settings into a loaded chat model.

Specs: ``default`` and ``qwen-1.5b`` (packaged GGUF), ``fake``, a ``.gguf`` file, a transformers checkpoint
folder, or a Hugging Face hub id; ``--llm-url`` selects an OpenAI-compatible server instead.
The runtime (``--runtime auto``) is llama.cpp for GGUF models on the CPU, the packaged ones included, and
transformers on CUDA (bitsandbytes nf4), for ``--quantization nf4``/``int8`` and for checkpoints and hub ids.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

from settings import Settings

from .base import ChatModel, boundary
from .cpu_guard import SAFE_NOTICE, load_options
from .errors import LLMError
from .modelfile import Progress, check_gguf
from .packaged import PACKAGED, convert_gguf, packaged_checkpoint, packaged_gguf

TRANSFORMERS_ONLY = ("nf4", "int8")


def load_chat_model(settings: Settings, progress: Progress = print) -> ChatModel:
    """The chat model the settings ask for: a served endpoint, the fake, or a local model."""
    if settings.llm_url:
        from .remote import RemoteChatModel

        return RemoteChatModel(settings.llm_url, settings.model)
    if settings.model == "fake":
        from .fake import FakeChatModel

        return FakeChatModel()
    if choose_runtime(settings) == "llama.cpp":
        return load_llamacpp_model(settings.model, settings, progress)
    return load_transformers_model(settings.model, settings, progress)


def choose_runtime(settings: Settings) -> str:
    if settings.runtime != "auto":
        return settings.runtime
    is_gguf = settings.model in PACKAGED or settings.model.endswith(".gguf")
    if not is_gguf or settings.quantization in TRANSFORMERS_ONLY:
        return "transformers"
    return "transformers" if resolve_device(settings.device) == "cuda" else "llama.cpp"


def resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if cuda_available() else "cpu"
    if device == "cuda" and not cuda_available():
        raise LLMError("--device cuda was asked for, but no CUDA device is available")
    return device


def cuda_available() -> bool:
    """torch's answer; on Linux asked only where the NVIDIA driver is loaded (importing torch takes ~1.5 s)."""
    if sys.platform == "linux" and not Path("/proc/driver/nvidia").exists():
        return False
    import torch

    return torch.cuda.is_available()


# --- llama.cpp ---------------------------------------------------------------------------------------
def load_llamacpp_model(spec: str, settings: Settings, progress: Progress = print) -> ChatModel:
    """A packaged or given GGUF file, checked, then loaded by llama.cpp (on the GPU too for --device cuda) with
    the settings that ran a generation on this CPU."""
    path = llamacpp_path(spec, settings, progress)
    try:
        from .llamacpp import LlamaCppChatModel
    except ImportError:
        raise LLMError("llama-cpp-python is not installed: pip install -r requirements.txt, "
                       "or use --runtime transformers") from None
    gpu_layers = -1 if resolve_device(settings.device) == "cuda" else 0
    options = load_options(path, progress) if gpu_layers == 0 else {}
    progress(f"loading {path.name} with llama.cpp")
    with boundary(path.name, "loading"):
        try:
            model = LlamaCppChatModel(path, n_gpu_layers=gpu_layers, **options)
        except ValueError:  # llama.cpp's one word for a file it cannot read
            raise LLMError(f"llama.cpp could not load {path}: the file is truncated, damaged or of a model "
                           "architecture it does not support") from None
    if options:
        model.notice = SAFE_NOTICE
    return model


def llamacpp_path(spec: str, settings: Settings, progress: Progress = print) -> Path:
    """The checked GGUF file of a packaged model name or a path."""
    if settings.quantization in TRANSFORMERS_ONLY:
        raise LLMError(f"--quantization {settings.quantization} needs --runtime transformers; llama.cpp runs "
                       "the GGUF's own quantization")
    if spec in PACKAGED:
        return packaged_gguf(spec, Path(settings.data_dir) / "models", progress)
    if spec.endswith(".gguf"):
        return check_gguf(Path(spec).expanduser(), progress=progress)
    raise LLMError(f"llama.cpp runs .gguf files and {spec!r} is not one: use --runtime transformers")


def check_cpu(settings: Settings, progress: Progress = print) -> None:
    """Before the server starts: ``LLMError`` when the llama.cpp model would crash on this CPU whatever its settings
    (nothing to check for a server, the fake or a GPU)."""
    if settings.llm_url or settings.model == "fake" or choose_runtime(settings) != "llama.cpp" \
            or resolve_device(settings.device) != "cpu":
        return
    load_options(llamacpp_path(settings.model, settings, progress), progress)


# --- transformers ------------------------------------------------------------------------------------
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
        check_gguf(path, progress=progress)
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


def load_transformers_model(spec: str, settings: Settings, progress: Progress = print) -> ChatModel:
    """Tokenizer and model for ``spec`` on the configured device with the configured quantization."""
    device = resolve_device(settings.device)
    quantization = resolve_quantization(device, settings.quantization)
    with boundary(Path(spec).name, "loading"):
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging

        from .transformers_model import TransformersChatModel

        logging.disable_progress_bar()
        source = checkpoint_for(spec, Path(settings.data_dir) / "models", progress)
        progress(f"loading {Path(source).name} with transformers on {device} ({quantization})")
        started = time.perf_counter()
        try:
            tokenizer = AutoTokenizer.from_pretrained(source)
            model = AutoModelForCausalLM.from_pretrained(source, **load_kwargs(device, quantization))
        except OSError as exc:
            raise LLMError(f"could not load model {spec!r}: {str(exc).splitlines()[0]} (the hub is unreachable "
                           "without a network; use a local folder or .gguf file)") from None
        if device == "cpu" and quantization == "int8":
            import torch

            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        model.eval()
        return TransformersChatModel(model, tokenizer, name=Path(source).name,
                                     load_seconds=time.perf_counter() - started)
