"""Tests of netalgebra.census: orbit enumeration checked against independent counts
(graph.canonical_form on every raw pattern, Burnside's lemma, a naive group action), the
CSV / resume logic and the Dask executor.  The command line: tests/cli/test_census_cli.py."""

import csv
import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cad.errors import InputError
from netalgebra import census
from netalgebra.census import run as census_run
from netalgebra.cli import main
from netalgebra.graph import canonical_form
from netalgebra.pattern import SparsityPattern


def raw_patterns(n0, n1, n2):
    """Every pair of masks (M1: n1 x n0, M2: n2 x n1), by brute force."""
    b1, b2 = n1 * n0, n2 * n1
    for bits in itertools.product((0, 1), repeat=b1 + b2):
        M1 = tuple(tuple(bits[k * n0:(k + 1) * n0]) for k in range(n1))
        M2 = tuple(tuple(bits[b1 + r * n1:b1 + (r + 1) * n1]) for r in range(n2))
        yield (M1, M2)


def naive_image(masks, s0, s1, s2, transpose):
    """Apply the group element directly on the masks (not on bit integers)."""
    M1, M2 = masks
    if transpose:
        M1, M2 = tuple(zip(*M2)), tuple(zip(*M1))
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    A = [[0] * n0 for _ in range(n1)]
    Bm = [[0] * n1 for _ in range(n2)]
    for k in range(n1):
        for c in range(n0):
            A[s1[k]][s0[c]] = M1[k][c]
    for r in range(n2):
        for k in range(n1):
            Bm[s2[r]][s1[k]] = M2[r][k]
    return (tuple(map(tuple, A)), tuple(map(tuple, Bm)))


def rows_of(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def key(rows):
    """Rows without the timing column, as a dict pattern -> (orbit_size, verdict, reason)."""
    out = {}
    for r in rows:
        assert r["pattern"] not in out, f"duplicate row {r['pattern']}"
        out[r["pattern"]] = (int(r["orbit_size"]), r["verdict"], r["reason"])
    return out


# --- orbits ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 2, 2), (3, 2, 3), (2, 2, 3)])
def test_orbits_match_graph_canonical_form(shape):
    """Independent brute force: classify every raw pattern by graph.canonical_form (an
    individualisation-refinement algorithm on SparsityPattern objects), with transposition
    when N0 == N2; the classes must be exactly the census orbits, with the same sizes."""
    n0, n1, n2 = shape
    cs = census.CensusShape(shape)
    orbits = census.enumerate_orbits(cs)
    assert sum(o.size for o in orbits) == 2 ** (n1 * (n0 + n2))
    classes = {}
    for masks in raw_patterns(*shape):
        c = canonical_form(SparsityPattern(masks), transpose=(n0 == n2))
        classes.setdefault(c, []).append(masks)
    assert len(classes) == len(orbits)
    by_class = {canonical_form(SparsityPattern(cs.to_masks(o.rep)), transpose=(n0 == n2)): o for o in orbits}
    assert len(by_class) == len(orbits)          # no two representatives isomorphic
    for c, members in classes.items():
        o = by_class[c]
        assert o.size == len(members)
        assert o.rep == max(cs.from_masks(m) for m in members)


@pytest.mark.parametrize("shape", [(1, 1, 1), (1, 2, 3), (2, 2, 3), (3, 3, 3), (2, 4, 2)])
def test_orbit_count_burnside_and_total(shape):
    n0, n1, n2 = shape
    orbits = census.enumerate_orbits(shape)
    assert sum(o.size for o in orbits) == 2 ** (n1 * (n0 + n2))
    assert len(orbits) == census.burnside_count(shape)
    order = census.CensusShape(shape).group_order
    assert all(order % o.size == 0 for o in orbits)           # orbit-stabiliser


def test_known_small_orbit_counts():
    # 1,1,1: patterns 00, 10, 01, 11 with transposition swapping 10 <-> 01: three orbits
    assert [o.size for o in census.enumerate_orbits((1, 1, 1))] == [1, 2, 1]
    # 1,2,1 with transposition: a hidden neuron is one of 4 kinds {none, in, out, both};
    # multisets of 2 kinds = 10, and transposition swaps in <-> out: 10 -> 7 orbits
    assert len(census.enumerate_orbits((1, 2, 1))) == 7


@settings(max_examples=40)
@given(st.data())
def test_group_action_matches_naive(data):
    n0 = data.draw(st.integers(1, 3))
    n1 = data.draw(st.integers(1, 3))
    n2 = data.draw(st.sampled_from([n0, data.draw(st.integers(1, 3))]))
    cs = census.CensusShape((n0, n1, n2))
    x = data.draw(st.integers(0, 2 ** cs.nbits - 1))
    masks = cs.to_masks(x)
    assert cs.from_masks(masks) == x
    assert cs.from_json(cs.to_json(x)) == x
    s0 = data.draw(st.permutations(range(n0)))
    s1 = data.draw(st.permutations(range(n1)))
    s2 = data.draw(st.permutations(range(n2)))
    tr = n0 == n2 and data.draw(st.booleans())
    y = cs.from_masks(naive_image(masks, s0, s1, s2, tr))
    orb = cs.orbit(x)
    assert y in orb
    assert cs.canon(y) == cs.canon(x) == max(orb)


# --- the census on 2,2,2 ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_222(tmp_path_factory):
    path = tmp_path_factory.mktemp("census") / "c222.csv"
    res = census.run_census((2, 2, 2), str(path), timeout=20, workers=2)
    return path, res


def test_census_222_totals(local_222):
    path, res = local_222
    rows = rows_of(path)
    cs = census.CensusShape((2, 2, 2))
    assert len(rows) == res.orbits == len(census.enumerate_orbits(cs)) == res.written
    assert sum(int(r["orbit_size"]) for r in rows) == 256
    assert {r["verdict"] for r in rows} <= {"closed", "not_closed", "unknown"}
    assert res.counts["unknown"] == 0, [r for r in rows if r["verdict"] == "unknown"]
    # every raw pattern's orbit appears exactly once
    reps = {cs.from_json(r["pattern"]) for r in rows}
    assert len(reps) == len(rows)
    assert {cs.canon(cs.from_masks(m)) for m in raw_patterns(2, 2, 2)} == reps
    s = census.summarize(census.read_rows(path))
    assert s["raw"] == 256 and sum(sum(d[v]["raw"] for v in d) for d in s["by_nnz"].values()) == 256


def test_census_222_verdicts_agree_with_decide_on_raw_patterns(local_222):
    """Every raw pattern, decided directly (no census symmetry / reduction reuse), gets the
    verdict of its orbit's row; the paper's LU/UL and dense examples come out right."""
    from netalgebra.decide import decide

    path, _ = local_222
    cs = census.CensusShape((2, 2, 2))
    verdict = {cs.from_json(r["pattern"]): r["verdict"] for r in rows_of(path)}
    for masks in raw_patterns(2, 2, 2):
        v = decide(SparsityPattern(masks), 20).status
        if v != "unknown":
            assert verdict[cs.canon(cs.from_masks(masks))] == v, masks
    for name, expect in [("ul:2", "not_closed"), ("lu:2", "not_closed"), ("dense:2,2,2", "closed"),
                         ("diag:2", "closed"), ("dense:2,1,2", None)]:
        p = SparsityPattern.preset(name)
        if p.widths != (2, 2, 2):
            continue
        assert verdict[cs.canon(cs.from_masks(p.masks))] == expect


def test_reduced_rows_cite_rows_of_the_csv(local_222):
    path, _ = local_222
    rows = rows_of(path)
    pats = {r["pattern"]: r["verdict"] for r in rows}
    n = 0
    for r in rows:
        if r["reason"].startswith("reduces to"):
            n += 1
            assert float(r["seconds"]) == 0.0
            cited = [p for p in pats if p in r["reason"]]
            assert cited and all(f"{p} ({pats[p]})" in r["reason"] for p in cited)
    assert n > 0


def test_resume_after_interruption(tmp_path, local_222):
    ref = key(rows_of(local_222[0]))
    path = str(tmp_path / "c.csv")
    seen = []

    class Stop(Exception):
        pass

    def on_row(row):
        seen.append(row["pattern"])
        if len(seen) == 15:
            raise Stop

    with pytest.raises(Stop):
        census.run_census((2, 2, 2), path, timeout=20, workers=1, on_row=on_row)
    assert len(rows_of(path)) == 15
    with open(path, "a") as fh:                      # killed in the middle of a write
        fh.write('"{""masks"":[[[1,1],[0')
    res = census.run_census((2, 2, 2), path, timeout=20, workers=1)
    assert res.skipped == 15 and res.written == len(ref) - 15
    assert key(rows_of(path)) == ref
    res = census.run_census((2, 2, 2), path, timeout=20, workers=1)
    assert res.written == 0 and res.decided == 0 and res.skipped == len(ref)
    assert key(rows_of(path)) == ref


def test_preseeded_rows_are_skipped_and_reused(tmp_path, local_222):
    ref = rows_of(local_222[0])
    cs = census.CensusShape((2, 2, 2))
    # seed the row of the one-weight pattern (a decision row) with a fake reason, and the
    # row of the LU core with a permuted (non-representative) form of it
    one = next(r for r in ref if cs.from_json(r["pattern"]) == cs.canon(cs.from_masks(
        (((1, 0), (0, 0)), ((1, 0), (0, 0))))))
    lu = SparsityPattern.preset("lu:2")
    path = tmp_path / "seeded.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(census.COLUMNS)
        w.writerow([one["pattern"], one["orbit_size"], "closed", "seeded", "0"])
        w.writerow([cs.to_json(cs.from_masks(lu.masks)), 8, "not_closed", "seeded lu", "0"])
    res = census.run_census((2, 2, 2), str(path), timeout=20, workers=1)
    rows = rows_of(path)
    assert res.skipped == 2 and len(rows) == len(ref)
    reps = [cs.canon(cs.from_json(r["pattern"])) for r in rows]
    assert len(set(reps)) == len(reps) and set(reps) == {cs.from_json(r["pattern"]) for r in ref}
    assert [r["reason"] for r in rows[:2]] == ["seeded", "seeded lu"]
    # the jobs for the two seeded rows were not re-run
    n_jobs = sum(1 for p in census.plan(cs) if p.job is not None)
    assert res.decided == n_jobs - 2
    # rows reducing to the seeded decision row reuse it
    assert any(one["pattern"] in r["reason"] for r in rows[2:])


def test_retry_unknown_redoes_only_unknown_rows(tmp_path, local_222):
    ref = key(rows_of(local_222[0]))
    path = tmp_path / "r.csv"
    rows = rows_of(local_222[0])
    faked = [r["pattern"] for r in rows if not r["reason"].startswith(("reduces", "no input"))][:3]
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(census.COLUMNS)
        for r in rows:
            v = "unknown" if r["pattern"] in faked else r["verdict"]
            w.writerow([r["pattern"], r["orbit_size"], v, r["reason"], r["seconds"]])
    res = census.run_census((2, 2, 2), str(path), timeout=20, workers=1)
    assert res.written == 0 and res.counts["unknown"] >= 3          # plain resume keeps them
    res = census.run_census((2, 2, 2), str(path), timeout=20, workers=1, retry_unknown=True)
    assert res.decided == 3 and res.skipped == len(ref) - res.written
    assert key(rows_of(path)) == ref


def test_csv_of_another_shape_is_rejected(tmp_path, local_222):
    with pytest.raises(InputError, match="widths"):
        census.run_census((2, 3, 2), str(local_222[0]), timeout=5)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a census CSV"):
        census.run_census((2, 2, 2), str(bad), timeout=5)


def test_hard_limit_kills_a_stuck_worker():
    t0 = time.monotonic()
    out = dict(census_run._local_executor([(1, (30.0,)), (2, (0.0,))], 2, hard_limit=1.5, func=time.sleep))
    assert out[2] is None
    assert out[1][0] == "unknown" and "hard time limit" in out[1][1]
    assert time.monotonic() - t0 < 15


# --- Dask ---------------------------------------------------------------------------------------

def test_dask_local_cluster_matches_local_executor(tmp_path, local_222):
    distributed = pytest.importorskip("distributed")
    ref = key(rows_of(local_222[0]))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        p1 = str(tmp_path / "dask_addr.csv")
        res = census.run_census((2, 2, 2), p1, timeout=20, scheduler=cluster.scheduler_address)
        assert res.written == len(ref)
        assert key(rows_of(p1)) == ref
        p3 = str(tmp_path / "dask_cli.csv")
        assert main(["census", "--shape", "2,2,2", "--out", p3, "--quiet",
                     "--scheduler", cluster.scheduler_address]) == (3 if res.counts["unknown"] else 0)
        assert key(rows_of(p3)) == ref
        with distributed.Client(cluster) as client:
            p2 = str(tmp_path / "dask_client.csv")
            census.run_census((2, 2, 2), p2, timeout=20, client=client)
            assert key(rows_of(p2)) == ref
