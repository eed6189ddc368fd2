"""The command line refuses a damaged model file in one line, before anything starts."""

import pytest

import app


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"GGUF" + b"\x00" * 64])
def test_a_damaged_model_file_is_one_line_and_a_non_zero_exit(tmp_path, capsys, content):
    model = tmp_path / "broken.gguf"
    model.write_bytes(content)
    assert app.main(["--model", str(model), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: model file") and "\n" not in err


def test_a_missing_model_file_is_named(tmp_path, capsys):
    assert app.main(["--model", str(tmp_path / "nope.gguf")]) == 2
    assert "does not exist" in capsys.readouterr().err
