"""Finding the repository and the log, and reading .declog.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from declog.errors import NotALogError, NotARepositoryError, RecordFileError, UsageError
from declog.storage import config


def test_the_default_configuration_parses_back(repo: Path) -> None:
    (repo / config.CONFIG_NAME).write_text(config.DEFAULT_TEXT.format(root="decisions"), encoding="utf-8")
    cfg = config.load(repo)
    assert cfg.repo == repo.resolve()
    assert cfg.root == "decisions"
    assert cfg.root_dir == repo.resolve() / "decisions"
    assert cfg.required == {}
    assert cfg.trailer == "Decision"
    assert cfg.max_file_bytes == 256 * 1024


def test_settings_are_read(repo: Path) -> None:
    (repo / config.CONFIG_NAME).write_text(
        "version: 1\nroot: docs/decisions/\nrequired:\n  decision: [tags, review_by]\n"
        "trailer: Decided-By\nmax_file_bytes: 4096\n", encoding="utf-8")
    cfg = config.load(repo / ".")
    assert cfg.root == "docs/decisions"
    assert cfg.required == {"decision": ["tags", "review_by"]}
    assert cfg.trailer == "Decided-By"
    assert cfg.max_file_bytes == 4096


def test_the_configuration_is_found_from_a_subfolder(repo: Path) -> None:
    (repo / config.CONFIG_NAME).write_text("version: 1\n", encoding="utf-8")
    deep = repo / "src" / "orders"
    deep.mkdir(parents=True)
    assert config.find_config(deep) == repo.resolve() / config.CONFIG_NAME
    assert config.find_repo_root(deep) == repo.resolve()


def test_the_search_stops_at_the_repository_root(tmp_path: Path, repo: Path) -> None:
    (tmp_path / config.CONFIG_NAME).write_text("version: 1\n", encoding="utf-8")  # outside the repository
    with pytest.raises(NotALogError, match="declog init"):
        config.find_config(repo)


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotARepositoryError, match="git init"):
        config.find_repo_root(plain)


def test_git_dir_follows_a_worktree_file(tmp_path: Path, repo: Path) -> None:
    assert config.git_dir(repo) == repo / ".git"
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {repo / '.git' / 'worktrees' / 'wt'}\n", encoding="utf-8")
    assert config.git_dir(worktree) == repo / ".git" / "worktrees" / "wt"
    (worktree / ".git").write_text("gitdir: ../repo/.git\n", encoding="utf-8")
    assert config.git_dir(worktree) == (repo / ".git").resolve()
    (worktree / ".git").write_text("garbage\n", encoding="utf-8")
    assert config.git_dir(worktree) is None
    assert config.git_dir(tmp_path) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("colour: red\n", "unknown setting(s) colour"),
        ("version: 2\n", "version 2 is not supported"),
        ("root: ../elsewhere\n", "root must be a folder inside the repository"),
        ("root: /etc\n", "root must be a folder inside the repository"),
        ("root: --x\n", "root must be a folder inside the repository"),
        ("root: ''\n", "root must be a folder inside the repository"),
        ("required: [tags]\n", "required must map a record kind to a list of field names"),
        ("required: {decision: tags}\n", "required must map a record kind to a list of field names"),
        ("required: {gadget: [tags]}\n", "unknown record kind 'gadget'"),
        ("trailer: 'two words'\n", "trailer must be a word"),
        ("max_file_bytes: 10\n", "max_file_bytes must be a whole number"),
        ("max_file_bytes: true\n", "max_file_bytes must be a whole number"),
    ],
)
def test_bad_settings_are_usage_errors(repo: Path, text: str, words: str) -> None:
    (repo / config.CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        config.load(repo)
    assert words in info.value.message
    assert info.value.message.startswith(config.CONFIG_NAME)


def test_a_broken_configuration_file_is_a_file_error(repo: Path) -> None:
    (repo / config.CONFIG_NAME).write_text("root: [decisions\n", encoding="utf-8")
    with pytest.raises(RecordFileError, match=r"\.declog\.yaml:2:1: malformed YAML"):
        config.load(repo)


def test_the_fingerprint_follows_what_validation_depends_on(repo: Path) -> None:
    base = config.parse(repo, {})
    assert base.fingerprint() == config.parse(repo, {"trailer": "Other", "root": "elsewhere"}).fingerprint()
    assert base.fingerprint() != config.parse(repo, {"required": {"decision": ["tags"]}}).fingerprint()
    assert base.fingerprint() != config.parse(repo, {"max_file_bytes": 2048}).fingerprint()


def test_a_required_field_that_no_record_kind_has_is_a_usage_error(log_repo, run) -> None:
    from tests.conftest import new_decision

    new_decision(run, log_repo)
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("required: {}", "required: {decision: [colour]}"),
                   encoding="utf-8")
    res = run(log_repo, "validate")
    assert res.exit_code == 2
    assert "required: decision has no field 'colour'" in res.stderr
