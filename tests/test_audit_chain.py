"""The hash chain names the first record that was edited, rewritten or removed."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from bot.ops.audit_chain import GENESIS, ChainRow, canonical, check_chain, seal


def chain(count: int) -> list[ChainRow]:
    rows, prev = [], GENESIS
    for seq in range(1, count + 1):
        text = canonical({"at": f"2026-11-0{seq}T00:00:00+00:00", "pull_number": seq, "tier": "L2"})
        digest = seal(prev, text)
        rows.append(ChainRow(seq, f"2026-11-0{seq}", "o/r", seq, text, prev, digest))
        prev = digest
    return rows


def test_the_seal_is_sha256_of_the_previous_hash_and_the_canonical_text() -> None:
    text = canonical({"b": 1, "a": "é", "c": [1, 2]})
    assert text == '{"a":"é","b":1,"c":[1,2]}'
    assert seal(GENESIS, text) == hashlib.sha256((GENESIS + text).encode()).hexdigest()


def test_an_intact_chain_reports_its_head() -> None:
    rows = chain(4)
    report = check_chain(rows, known=rows[1].hash)
    assert (report.records, report.head_seq, report.head_hash) == (4, 4, rows[-1].hash)
    assert report.broken is None and report.known_found
    assert check_chain([]).head_hash == GENESIS
    assert not check_chain(rows, known="f" * 64).known_found


def test_an_edited_record_is_named() -> None:
    rows = chain(4)
    rows[2] = replace(rows[2], record=rows[2].record.replace("L2", "L1"))
    report = check_chain(rows)
    assert report.broken is not None
    assert (report.broken.kind, report.broken.row.seq, report.records) == ("edited", 3, 2)
    assert report.broken.render().startswith("broken at record 3 (o/r#3, 2026-11-03): edited")


def test_a_record_rewritten_with_its_own_hash_is_named_by_its_successor_link() -> None:
    rows = chain(4)
    text = rows[1].record.replace("L2", "L1")
    rows[1] = replace(rows[1], record=text, hash=seal(rows[1].prev_hash, text))
    report = check_chain(rows)
    assert report.broken is not None
    assert (report.broken.kind, report.broken.row.seq) == ("edited", 2)


def test_a_deleted_record_is_named_as_missing() -> None:
    rows = chain(5)
    del rows[2]
    report = check_chain(rows)
    assert report.broken is not None
    assert (report.broken.kind, report.broken.row.seq) == ("missing", 4)
    assert "record(s) 3 before it" in report.broken.render()
    report = check_chain(chain(5)[2:])
    assert report.broken is not None and "record(s) 1-2 before it" in report.broken.render()
