"""The parse kept between build folders: one per state dbt checks, never written through a link."""

from pathlib import Path

from scripts import dbt_parse_cache
from scripts.dbt_runner import PARSE_STATE_FILES, in_build_folder


def key(arguments=("build",), **env):
    return dbt_parse_cache.state_key(list(arguments), env, PARSE_STATE_FILES)


def test_the_key_follows_what_dbt_checks_and_nothing_else():
    base = {"DUCKDB_MEMORY_LIMIT": "2GB", "COMMERCE_STORES": "online_retail"}
    assert key(**base) == key(**base, RETAIL_PATH="/elsewhere/file.csv")  # a model's variable
    assert key(**base) != key(**{**base, "DUCKDB_MEMORY_LIMIT": "6GB"})  # the profile's
    assert key(**base) != key(**{**base, "COMMERCE_STORES": "online_retail,olist"})  # the project's
    assert key(**base) != key(["build", "--vars", '{"as_of_date": "2011-12-10"}'], **base)
    assert key(**base) == key(["parse"], **base)  # the command does not enter the check


def test_every_build_folder_names_its_file_alike():
    settings, folder = in_build_folder({"DBT_DUCKDB_PATH": "/a/.build-w.duckdb/warehouse.duckdb"})
    assert (settings["DBT_DUCKDB_PATH"], folder) == ("warehouse.duckdb", Path("/a/.build-w.duckdb"))
    other, _ = in_build_folder({"DBT_DUCKDB_PATH": "/b/.build-x.duckdb/warehouse.duckdb"})
    assert other == settings


def test_a_saved_parse_reaches_a_new_folder_of_the_same_key_only(tmp_path):
    cache, first, second = tmp_path / "cache", tmp_path / "one", tmp_path / "two"
    (first / "target").mkdir(parents=True)
    (first / "target" / dbt_parse_cache.PARSE_FILE).write_bytes(b"parsed")
    dbt_parse_cache.save(first / "target", cache, "k1")
    dbt_parse_cache.restore(second / "target", cache, "k2")
    assert not (second / "target" / dbt_parse_cache.PARSE_FILE).exists()
    dbt_parse_cache.restore(second / "target", cache, "k1")
    assert (second / "target" / dbt_parse_cache.PARSE_FILE).read_bytes() == b"parsed"


def test_a_linked_cache_is_neither_read_nor_written(tmp_path):
    elsewhere, cache, build = tmp_path / "elsewhere", tmp_path / "cache", tmp_path / "build"
    elsewhere.mkdir()
    (elsewhere / "k.msgpack").write_bytes(b"planted")
    cache.symlink_to(elsewhere)
    (build / "target").mkdir(parents=True)
    (build / "target" / dbt_parse_cache.PARSE_FILE).write_bytes(b"ours")
    dbt_parse_cache.restore(build / "target", cache, "k")
    assert (build / "target" / dbt_parse_cache.PARSE_FILE).read_bytes() == b"ours"
    dbt_parse_cache.save(build / "target", cache, "k2")
    assert sorted(path.name for path in elsewhere.iterdir()) == ["k.msgpack"]


def test_only_the_most_recent_parses_are_kept(tmp_path):
    cache, build = tmp_path / "cache", tmp_path / "build"
    (build / "target").mkdir(parents=True)
    (build / "target" / dbt_parse_cache.PARSE_FILE).write_bytes(b"parsed")
    for number in range(dbt_parse_cache.KEPT_PARSES + 3):
        dbt_parse_cache.save(build / "target", cache, f"k{number}")
    assert len(list(cache.glob("*.msgpack"))) == dbt_parse_cache.KEPT_PARSES
    assert not list(cache.glob("*.part"))
