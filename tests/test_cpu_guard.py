"""The CPU guard: a generation in a child process picks the llama.cpp settings that run here, or stops with one
line saying what crashed and the way out; the verdict is cached beside the model."""

import json

import pytest

from chat_app.llm import cpu_guard
from chat_app.llm.errors import LLMError

RUNNERS = "tests.crashing_runners"


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF not really a model")
    return path


def test_a_crash_with_the_defaults_falls_back_to_the_safe_settings_and_says_so(model):
    lines = []
    options = cpu_guard.load_options(model, lines.append, f"{RUNNERS}:aborts_unless_safe")
    assert options == {"extra_bufts": False}
    assert any(line.startswith(cpu_guard.SAFE_NOTICE) and "(default settings: killed by SIGABRT" in line
               for line in lines)
    assert json.loads(model.with_name("model.gguf.cpu-probe.json").read_text())["mode"] == "safe"


def test_the_verdict_is_cached_so_a_later_start_spawns_nothing(model):
    cpu_guard.load_options(model, lambda m: None, f"{RUNNERS}:runs")
    lines = []
    assert cpu_guard.load_options(model, lines.append, f"{RUNNERS}:aborts") == {}  # the cache answers
    assert lines == []


def test_a_changed_model_file_is_probed_again(model):
    cpu_guard.load_options(model, lambda m: None, f"{RUNNERS}:runs")
    model.write_bytes(b"GGUF another model, longer")
    assert cpu_guard.load_options(model, lambda m: None, f"{RUNNERS}:aborts_unless_safe") == {"extra_bufts": False}


def test_when_every_setting_crashes_one_line_says_what_and_the_way_out(model):
    with pytest.raises(LLMError) as error:
        cpu_guard.load_options(model, lambda m: None, f"{RUNNERS}:segfaults")
    message = str(error.value)
    assert "\n" not in message
    assert "default settings: killed by SIGSEGV" in message and "safe settings: killed by SIGSEGV" in message
    assert "make llama-rebuild" in message and "--llm-url" in message
    assert not model.with_name("model.gguf.cpu-probe.json").exists()


def test_an_ordinary_error_in_the_child_is_left_to_the_loader_and_not_cached(model):
    assert cpu_guard.load_options(model, lambda m: None, f"{RUNNERS}:raises") == {}
    assert not model.with_name("model.gguf.cpu-probe.json").exists()


def test_the_server_stops_non_zero_with_that_line(tmp_path, monkeypatch, capsys):
    """``app.py`` with a model whose every probe crashes: one line on the terminal, exit status 2."""
    import app

    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setattr("chat_app.llm.loader.load_options",
                        lambda path, progress: cpu_guard.load_options(path, progress, f"{RUNNERS}:aborts"))
    monkeypatch.setattr(app, "check_model_file", lambda settings: None)
    assert app.main(["--model", str(model), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "llama.cpp crashes on this CPU" in err


def test_the_page_keeps_saying_that_the_model_runs_with_safe_settings(tmp_path):
    from chat_app.llm.fake import FakeChatModel
    from chat_app.startup import AgentStartup
    from settings import Settings

    llm = FakeChatModel()
    llm.notice = cpu_guard.SAFE_NOTICE
    startup = AgentStartup(Settings(data_dir=tmp_path), build=lambda progress: type("A", (), {"llm": llm})())
    startup.start().wait(10)
    assert startup.loading_text() == cpu_guard.SAFE_NOTICE


@pytest.mark.real
def test_the_installed_build_has_no_amx_kernel_and_runs_the_packaged_model():
    import llama_cpp

    from chat_app.llm.packaged import packaged_gguf
    from settings import Settings

    assert "AMX" not in llama_cpp.llama_print_system_info().decode()
    model = packaged_gguf("default", Settings.from_env().data_dir / "models", progress=lambda m: None)
    assert cpu_guard.probe(cpu_guard.RUNNER, model, "default") is None
