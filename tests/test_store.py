"""The store: finding, reading and resolving records, atomic writes, and the parse cache."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from declog.domain.kinds import KINDS
from declog.errors import AmbiguousId, UsageError
from declog.storage import store
from tests.factory import decision_yaml


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def decision(log_repo: Path, rid: str, title: str = "T", folder: str = "decisions") -> Path:
    return write(log_repo / folder / f"{rid}-x.yaml", decision_yaml(rid, title))


def test_init_creates_the_layout_once(repo: Path) -> None:
    root, created = store.init(repo)
    assert root == repo.resolve()
    assert created == [".declog.yaml", "decisions/", "decisions/corrections/", "decisions/inspections/",
                       "decisions/mechanisms/", "decisions/narratives/", "decisions/owners/"]
    assert (repo / "decisions" / ".gitkeep").exists() and (repo / "decisions" / "owners" / ".gitkeep").exists()
    config_text = (repo / ".declog.yaml").read_bytes()
    assert store.init(repo / "decisions") == (repo.resolve(), [])
    assert (repo / ".declog.yaml").read_bytes() == config_text


def test_init_with_a_root_and_refusing_to_move_it(repo: Path) -> None:
    _, created = store.init(repo, "docs/adr")
    assert created == [".declog.yaml", "docs/adr/", "docs/adr/corrections/", "docs/adr/inspections/",
                       "docs/adr/mechanisms/", "docs/adr/narratives/", "docs/adr/owners/"]
    assert store.init(repo, "docs/adr/")[1] == []
    with pytest.raises(UsageError, match="already lives in docs/adr/"):
        store.init(repo, "elsewhere")


def test_record_files_skip_hidden_temp_and_non_yaml_files(log_repo: Path) -> None:
    root = log_repo / "decisions"
    decision(log_repo, "D-aaaaaa")
    write(root / "sub" / "D-bbbbbb-x.yml", decision_yaml("D-bbbbbb"))
    write(root / ".declog-123.tmp", "partial")
    write(root / ".hidden.yaml", "x: 1\n")
    write(root / ".schemas" / "x.yaml", "x: 1\n")
    write(root / "notes.md", "# notes\n")
    log = store.Log.open(log_repo)
    rel = [log.rel(p) for p in log.record_files()]
    assert rel == ["decisions/D-aaaaaa-x.yaml", "decisions/owners/alice.yaml", "decisions/sub/D-bbbbbb-x.yml"]
    kinds = {r.path: r.kind.name for r in log.records()}
    assert kinds["decisions/owners/alice.yaml"] == "owner"
    assert kinds["decisions/sub/D-bbbbbb-x.yml"] == "decision"


def test_a_broken_file_becomes_a_record_with_an_error(log_repo: Path) -> None:
    write(log_repo / "decisions" / "bad.yaml", "id: [x\n")
    log = store.Log.open(log_repo)
    bad = next(r for r in log.records() if r.path == "decisions/bad.yaml")
    assert bad.data is None and bad.id is None and bad.title == ""
    assert bad.error is not None and bad.error.line == 2 and "malformed YAML" in bad.error.problem


def test_a_record_over_the_configured_size_is_not_read(log_repo: Path) -> None:
    cfg = log_repo / ".declog.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "max_file_bytes: 1024\n", encoding="utf-8")
    write(log_repo / "decisions" / "big.yaml", "context: " + "x" * 2000 + "\n")
    log = store.Log.open(log_repo)
    big = next(r for r in log.records() if r.path == "decisions/big.yaml")
    assert big.error is not None and "over the 1024-byte limit" in big.error.problem


def test_a_symlink_out_of_the_repository_is_refused(log_repo: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.yaml", decision_yaml("D-cccccc"))
    (log_repo / "decisions" / "link.yaml").symlink_to(outside)
    log = store.Log.open(log_repo)
    link = next(r for r in log.records() if r.path == "decisions/link.yaml")
    assert link.data is None and link.error is not None and "outside the repository" in link.error.problem


def test_resolve_by_prefix_handle_and_kind(log_repo: Path) -> None:
    decision(log_repo, "D-aaaaaa", "First")
    decision(log_repo, "D-aabbbb", "Second")
    log = store.Log.open(log_repo)
    assert log.resolve("aaa").title == "First"
    assert log.resolve("d-aab").title == "Second"
    assert log.resolve("alice").kind is KINDS["owner"]
    with pytest.raises(AmbiguousId):
        log.resolve("aa")
    with pytest.raises(UsageError, match="'alice' is an owner, not a decision"):
        log.resolve("alice", KINDS["decision"])
    assert log.find("zzz") is None


def test_an_id_in_two_files_is_reported_when_resolved(log_repo: Path) -> None:
    decision(log_repo, "D-aaaaaa", "First")
    write(log_repo / "decisions" / "copy.yaml", decision_yaml("D-aaaaaa", "Copy"))
    with pytest.raises(UsageError, match="used by 2 files"):
        store.Log.open(log_repo).resolve("D-aaaaaa")


def test_json_shape(log_repo: Path) -> None:
    decision(log_repo, "D-aaaaaa", "First")
    record = store.Log.open(log_repo).resolve("D-aaaaaa")
    assert record.as_json() == {"id": "D-aaaaaa", "kind": "decision", "path": "decisions/D-aaaaaa-x.yaml",
                                "title": "First", "status": "proposed", "owner": "alice", "door": "two-way",
                                "context": "c"}


def test_new_paths(log_repo: Path) -> None:
    log = store.Log.open(log_repo)
    assert log.rel(log.new_path(KINDS["decision"], "D-aaaaaa", "Use Postgres!")) == "decisions/D-aaaaaa-use-postgres.yaml"
    assert log.rel(log.new_path(KINDS["owner"], "bob", "Bob")) == "decisions/owners/bob.yaml"


# -- atomic writes ---------------------------------------------------------------------------

def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_atomic_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    target = write(tmp_path / "r.yaml", "old\n")
    target.chmod(0o600)
    store.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert listing(tmp_path) == ["r.yaml"]


def test_atomic_create_never_overwrites(tmp_path: Path) -> None:
    target = write(tmp_path / "r.yaml", "mine\n")
    with pytest.raises(UsageError, match="already exists"):
        store.atomic_write(target, "theirs\n", create=True)
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert listing(tmp_path) == ["r.yaml"]


def test_atomic_write_leaves_no_temp_file_when_it_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "r.yaml", "old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.atomic_write(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert listing(tmp_path) == ["r.yaml"]


def test_atomic_write_refuses_symlinks_and_paths_outside_the_repository(tmp_path: Path, repo: Path) -> None:
    real = write(tmp_path / "real.yaml", "x\n")
    link = repo / "link.yaml"
    link.symlink_to(real)
    with pytest.raises(UsageError, match="symlink"):
        store.atomic_write(link, "y\n", repo=repo)
    with pytest.raises(UsageError, match="outside the repository"):
        store.atomic_write(repo / ".." / "escape.yaml", "y\n", repo=repo)
    assert real.read_text(encoding="utf-8") == "x\n"
    assert not (tmp_path / "escape.yaml").exists()


# -- the parse cache -------------------------------------------------------------------------

def cache_file(repo: Path) -> Path:
    return repo / ".git" / "declog" / "parse-cache.sqlite"


def age(path: Path, seconds: int = 3600) -> None:
    """Make a file look written long ago, so the cache trusts its stat data (not racy)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def test_the_cache_lives_under_git_and_serves_unchanged_files(log_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = decision(log_repo, "D-aaaaaa", "First")
    for p in store.Log.open(log_repo).record_files():
        age(p)
    first = [(r.path, r.data) for r in store.Log.open(log_repo).records()]
    assert cache_file(log_repo).is_file()

    def no_parsing(*args: object) -> None:
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(store.Log, "parse_bytes", no_parsing)
    assert [(r.path, r.data) for r in store.Log.open(log_repo).records()] == first
    assert path.exists()


def test_an_edit_with_the_same_size_and_mtime_is_not_served_stale(log_repo: Path) -> None:
    path = decision(log_repo, "D-aaaaaa", "First")
    age(path)
    assert store.Log.open(log_repo).resolve("D-aaaaaa").title == "First"
    before = path.stat()
    path.write_text(decision_yaml("D-aaaaaa", "Other"), encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime, as `cp -p` would
    assert path.stat().st_size == before.st_size
    assert store.Log.open(log_repo).resolve("D-aaaaaa").title == "Other"


def test_without_a_cache_the_records_are_the_same(log_repo: Path) -> None:
    decision(log_repo, "D-aaaaaa", "First")
    warm = [(r.path, r.data) for r in store.Log.open(log_repo).records()]
    cold = [(r.path, r.data) for r in store.Log.open(log_repo, use_cache=False).records()]
    cache_file(log_repo).unlink()
    rebuilt = [(r.path, r.data) for r in store.Log.open(log_repo).records()]
    assert warm == cold == rebuilt
    assert cache_file(log_repo).is_file()


def test_a_damaged_cache_file_is_rebuilt(log_repo: Path) -> None:
    decision(log_repo, "D-aaaaaa", "First")
    cache_file(log_repo).parent.mkdir(parents=True, exist_ok=True)
    cache_file(log_repo).write_bytes(b"this is not a database" * 100)
    assert store.Log.open(log_repo).resolve("D-aaaaaa").title == "First"
    with sqlite3.connect(cache_file(log_repo)) as conn:
        assert conn.execute("select count(*) from files").fetchone()[0] == 2


def test_a_deleted_record_leaves_the_cache(log_repo: Path) -> None:
    path = decision(log_repo, "D-aaaaaa", "First")
    assert store.Log.open(log_repo).find("D-aaaaaa") is not None
    path.unlink()
    assert store.Log.open(log_repo).find("D-aaaaaa") is None
    with sqlite3.connect(cache_file(log_repo)) as conn:
        assert [row[0] for row in conn.execute("select path from files")] == ["decisions/owners/alice.yaml"]
