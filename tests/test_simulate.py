from benchmarks.simulate import CONFIGS, main as simulate_cli


def test_simulated_users_with_the_fake_model_write_a_table_and_a_plot(tmp_path, ml100k_catalog, ml100k_settings,
                                                                        capsys):
    args = ["--model", "fake", "--users", "3", "--docs", str(tmp_path), "--db", str(ml100k_catalog.path),
            "--data-dir", str(ml100k_settings.data_dir)]
    assert simulate_cli(args) == 0
    table = (tmp_path / "simulated-users.md").read_text()
    assert all(config in table for config in CONFIGS)
    assert (tmp_path / "simulated-users.png").read_bytes()[:4] == b"\x89PNG"
    assert simulate_cli(args) == 0
    assert (tmp_path / "simulated-users.md").read_text() == table  # seeded: the numbers repeat
