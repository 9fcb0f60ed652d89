"""The ``netalgebra`` command: check, verify, compile, train, census.

Exit codes (:mod:`cad.errors`): 0 decided / success, 2 bad input, 3 unknown (budget
spent), 4 internal error (a defect of ours: one line on stderr, never a traceback).
Heavy libraries (sympy, networkx, numpy) are imported only by the subcommands that
need them.
"""

import argparse
import os
import sys

from cad.errors import (EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_UNKNOWN, InputError,
                        InternalError, exit_code, output_outlives_reader)


def fail(message):
    """Print a specific error for bad input and return exit code 2."""
    message = " ".join(str(message).split())
    if len(message) > 400:
        message = message[:400] + " ..."
    print(f"netalgebra: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _uncaught(exc):
    """Exit code for an exception no command handled (:func:`cad.errors.exit_code`), after one
    line on stderr: bad input and spent budgets as usual, anything else an internal error."""
    code = exit_code(exc)
    if code == EXIT_BAD_INPUT:
        return fail(str(exc))
    if code == EXIT_UNKNOWN:
        print(f"netalgebra: unknown: {exc}", file=sys.stderr)
        return code
    text = str(exc) if isinstance(exc, InternalError) else f"{type(exc).__name__}: {exc}"
    print(f"netalgebra: internal error: {' '.join(text.splitlines())}", file=sys.stderr)
    return EXIT_INTERNAL


def _load_pattern(args):
    """The pattern named by ``PATTERN.json`` or ``--preset`` (exactly one of them)."""
    from netalgebra.pattern import SparsityPattern

    if bool(args.pattern) == bool(args.preset):
        raise InputError("give exactly one of PATTERN.json or --preset NAME")
    if args.preset:
        return SparsityPattern.preset(args.preset)
    if not os.path.exists(args.pattern) and _is_preset(args.pattern):
        raise InputError(f"no pattern file {args.pattern!r}; for the preset of that name use --preset {args.pattern}")
    lower = args.pattern.lower()
    if lower.endswith((".pt", ".pth")):
        return SparsityPattern.from_state_dict_file(args.pattern)
    if lower.endswith(".npz"):
        return SparsityPattern.from_npz(args.pattern)
    return SparsityPattern.from_json(args.pattern)


def _is_preset(name):
    """Whether ``name`` starts like a preset (``KIND:``, a known kind): a missing pattern file named
    like one gets a hint.  The preset itself is not built (it may be large or malformed)."""
    from netalgebra.pattern import PRESETS

    kind, colon, _ = name.strip().partition(":")
    return bool(colon) and kind.lower() in PRESETS


def _fmt_ratfun(rf):
    """Human form of a certificate rational function {"num": [...], "den": [...]} in t."""
    def poly(cs):
        terms = []
        for e, c in enumerate(cs):
            if str(c) in ("0", "0/1"):
                continue
            mon = "" if e == 0 else ("t" if e == 1 else f"t^{e}")
            coef = str(c)
            if mon and coef in ("1", "-1"):
                coef = coef[:-1]
            terms.append(f"{coef}{'*' if mon and coef not in ('', '-') else ''}{mon}" if mon else coef)
        return " + ".join(terms).replace("+ -", "- ") or "0"
    num, den = poly(rf["num"]), poly(rf.get("den", ["1"]))
    if den == "1":
        return num
    return f"({num})/({den})" if " " in num else f"{num}/({den})" if " " in den else f"{num}/{den}"


def _claims_text(claims):
    """The verdict's statements (:mod:`netalgebra.decide.claims`), one line each."""
    lines = []
    for key, label in (("linear_counterpart", "linear counterpart L_I"),
                       ("optimum_for_every_training_set", "optimum for every training set"),
                       ("optimum_for_this_input_set", "optimum for every target on these inputs")):
        if key not in claims:
            continue
        c = claims[key]
        if isinstance(c, str):
            lines.append(f"{label}: {c.replace('_', ' ')}")
            continue
        detail = (f" (theorem {c['theorem']})" if c.get("theorem") else "") + (f" -- {c['by']}" if c.get("by") else "")
        lines.append(f"{label}: {c['status'].replace('_', ' ')}{detail}")
    return "\n".join(lines)


def cmd_check(args):
    """Decide a pattern.  With a finite ``--timeout`` (and fork), the work runs in a child
    process under a hard wall-clock limit (:mod:`cad.hard_deadline`): the answer is
    ``unknown`` shortly after the budget even if the child is stuck in one exact operation.
    The certificate (``--out``) is written by this process, atomically, after the child
    finished, so no half-written file remains."""
    from cad.budget import Budget
    from cad.hard_deadline import available, run_with_hard_deadline
    from netalgebra.inputfile import write_atomic, writable_path

    budget = Budget(args.timeout)
    try:
        if args.out:
            writable_path(args.out, "--out")
    except InputError as e:
        return fail(str(e))
    def work():          # the same exception -> exit code map in the child as in main()
        try:
            return _check_work(args, budget)
        except Exception as exc:  # noqa: BLE001
            return _uncaught(exc), None

    if not available(args.timeout):
        code, out_text = work()
    else:
        res = run_with_hard_deadline(work, args.timeout + HARD_LIMIT_MARGIN)
        if res is None:
            what = args.preset or args.pattern or "pattern"
            reason = f"time budget of {args.timeout} s exhausted (hard limit: stopped inside one step)"
            if args.json:
                import json
                print(json.dumps({"verdict": "unknown", "certificate": None,
                                  "seconds": round(budget.elapsed(), 6), "reason": reason}))
            else:
                print(f"{what}: UNKNOWN  [{budget.elapsed():.3f} s]\nreason: {reason}")
            return EXIT_UNKNOWN
        code, out, out_text = res
        sys.stdout.write(out)
    if out_text is not None:
        try:
            write_atomic(args.out, out_text)
        except OSError as e:
            return fail(f"--out {args.out}: {e.strerror or e}")
    return code


HARD_LIMIT_MARGIN = 0.2   # seconds after --timeout before the child of `check` is killed


def _check_work(args, budget):
    """``netalgebra check`` itself: ``(exit code, certificate text for --out or None)``."""
    import json
    import time

    t0 = time.perf_counter()
    try:
        pattern = _load_pattern(args)
        points = None
        if args.points:
            from netalgebra.training_inputs import read_points

            points = read_points(args.points)   # JSON, CSV or .npy; InputError names the place
    except InputError as e:
        return fail(str(e)), None
    from netalgebra.decide import decide

    try:
        verdict = decide(pattern, budget, points=points)
    except InputError as e:                     # e.g. points of the wrong dimension
        return fail(str(e)), None
    seconds = time.perf_counter() - t0
    cert = verdict.certificate
    out_text = None
    if args.out and cert is not None:
        from netalgebra.certificate import dump

        out_text = dump(cert) + "\n"
    if args.json:
        out = {"verdict": verdict.status, "claims": verdict.claims, "pattern": pattern.to_dict(), "certificate": cert,
               "seconds": round(seconds, 6), "reason": verdict.reason}
        if points is not None:
            out["points"] = points
        print(json.dumps(out))
    else:
        name = pattern.name or (args.pattern or "pattern")
        what = "F_I(Omega) on the given points" if points is not None else "L_I (linear counterpart)"
        label = {"closed": "CLOSED", "not_closed": "NOT CLOSED", "unknown": "UNKNOWN"}[verdict.status]
        print(f"{name}: {label}  [{what}; widths {'-'.join(map(str, pattern.widths))}; {seconds:.3f} s]")
        print(f"reason: {verdict.reason}")
        print(_claims_text(verdict.claims))
        merged = False
        frame = None                             # the sub-pattern whose weight names the family uses
        while cert and ("reduction" in cert or cert.get("method") in ("block", "twin_merge", "outer_twin_merge")):
            if "reduction" in cert or cert.get("method") in ("twin_merge", "outer_twin_merge"):
                merged, frame = True, "merged pattern"   # layers or twins merged: the merged pattern's certificate
                cert = (cert["reduction"] if "reduction" in cert else cert[cert["method"]])["certificate"]
                print(f"merged pattern: widths {'-'.join(str(len(m)) for m in [cert['pattern']['masks'][0][0]] + cert['pattern']['masks'])}")
            else:                                # a block: show the block sub-pattern's certificate
                blk = cert["block"]
                print(f"block sub-pattern: rows {blk['rows']} x columns {blk['cols']} (certificate below; "
                      + ("its missing point, padded with zeros, is missing here)" if verdict.status == "not_closed"
                         else "every other row and column is on no path)"))
                cert = blk["certificate"]
                frame = "block sub-pattern"
        if verdict.status == "not_closed" and cert and "target" in cert:
            rel = cert.get("relu", {})
            rows, cols = rel.get("block_rows"), rel.get("block_cols")
            if rows and cols:
                blk = "[" + ", ".join("[" + ", ".join(cert["target"][r][c] for c in cols) + "]" for r in rows) + "]"
                print(f"witness: target A = B (+) 0 with B = {blk} on rows {rows} x columns {cols}")
            if cert.get("method") == "cad":
                ap = cert.get("approaching", {})
                print(f"witness: target A = {cert['target']} (not a product), approached by "
                      f"{len(ap.get('points', []))} products at halving distances"
                      + (" along a segment" if "segment" in ap else "") + " (decided by CAD)")
            elif "dense_realisation" in cert:
                print(f"witness: target A = {cert['target']} (not a product) lies in V_K, the closure of L_I: "
                      f"L_I contains V_K minus a hypersurface (a rational realisation)")
            else:
                fam = cert.get("escaping_family", {}).get("weights", {})
                print("escaping family "
                      + (f"of the {frame} (weights named by its own neurons; " if frame else "(")
                      + "t -> 0+, all other weights 0): "
                      + ", ".join(f"{k} = {_fmt_ratfun(v)}" for k, v in fam.items()))
            if rel:
                print(f"training set: {len(rel['points'])} points with targets A x; no optimum of the "
                      f"squared loss exists on it (Theorem 3.1)"
                      + (" for the merged network (not claimed for the original one)" if merged else ""))
        elif verdict.status == "not_closed" and cert and "targets" in cert:
            print(f"witness: targets {cert['targets']} (rows = outputs, columns = points) are not attained; "
                  f"the escaping family reaches them as t -> 0+ with diverging weights")
        elif verdict.status == "closed" and cert:
            th = cert.get("theorem", {})
            print(f"theorem: {th.get('name')} -- {th.get('source')}")
            if th.get("name") == "cad":
                print(f"description of L_I: {th.get('hypotheses', {}).get('description')}")
        if out_text is not None:
            print(f"certificate written to {args.out}")
    return (EXIT_UNKNOWN if verdict.status == "unknown" else EXIT_OK), out_text


def cmd_verify(args):
    import json

    from netalgebra.certificate import verify
    from netalgebra.inputfile import read_json

    try:
        cert = read_json(args.certificate, "certificate")
    except InputError as e:
        return fail(str(e))
    if isinstance(cert, dict) and "format" not in cert and isinstance(cert.get("certificate"), dict):
        cert = cert["certificate"]          # the output of `netalgebra check --json`
    if args.timeout is not None and not args.timeout > 0:
        return fail(f"--timeout {args.timeout}: must be > 0 seconds")
    what = cert.get('verdict') if isinstance(cert, dict) else '?'
    from cad.hard_deadline import available, run_with_hard_deadline

    if available(args.timeout):
        # a hard limit as for check: a CAD re-check stuck inside one flint call is stopped too
        res = run_with_hard_deadline(lambda: (0, verify(cert, timeout=args.timeout)),
                                     args.timeout + HARD_LIMIT_MARGIN)
        if res is None:
            print(f"certificate could not be re-checked within budget ({args.timeout} s, hard limit; "
                  f"{what}); try a larger --timeout")
            return EXIT_UNKNOWN
        report = res[2]
        if report is None:
            return _uncaught(InternalError("the verifier failed"))
    else:
        report = verify(cert, timeout=args.timeout)
    print(report.summary())
    pat = cert.get("pattern") if isinstance(cert, dict) else None
    if isinstance(pat, dict):
        # what was verified: the masks (the name is a label; the verifier checks it against them)
        name = pat.get("name")
        masks = json.dumps(pat.get("masks"), separators=(",", ":"))
        if len(masks) > 600:
            masks = masks[:600] + f"... (truncated; {len(masks)} characters)"
        print(f"pattern: {json.dumps(name) if name is not None else '(unnamed)'}, masks {masks}")
    if report.incomplete:
        # CAD certificates are re-checked by exact decisions that may need time: running out of
        # budget is neither acceptance nor rejection
        print(f"certificate could not be re-checked within budget ({args.timeout} s; {what}); "
              f"try a larger --timeout")
        return EXIT_UNKNOWN
    print(f"certificate {'VERIFIED' if report.ok else 'REJECTED'} ({what})")
    return EXIT_OK if report.ok else 1


def cmd_compile(args):
    """Print the entries of W_L ... W_1 as polynomials in the weights ``w{l}_{i}_{j}``.

    The whole output is built before anything is written, so bad input never leaves a
    half-written answer; errors exit with code 2.
    """
    import json

    from netalgebra.compile import linear_map

    if (args.pattern is None) == (args.preset is None):
        return fail("give exactly one of a pattern JSON file or --preset NAME")
    try:
        pattern = _load_pattern(args)
        lmap = linear_map(pattern)
    except InputError as exc:
        return fail(str(exc))
    n, m = lmap.shape
    if args.json:
        doc = {
            "pattern": pattern.to_dict(),
            "widths": list(pattern.widths),
            "product": "W_%d ... W_1" % pattern.depth,
            "variables": list(lmap.variables),
            "shape": [n, m],
            "entries": [[lmap.entry_str(i, j) for j in range(m)] for i in range(n)],
        }
        # one top-level key per line, values compact (masks and entries stay readable)
        text = "{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items()) + "\n}\n"
    else:
        lines = [
            f"# pattern {pattern.name or args.pattern}: widths {'-'.join(map(str, pattern.widths))}, "
            f"{len(lmap.variables)} weights, {lmap.nterms} monomials",
            f"# A = W_{pattern.depth} ... W_1 with W_l[i, j] = w{{l}}_{{i}}_{{j}} (0-based i = out, j = in)",
        ]
        lines += [f"A[{i},{j}] = {lmap.entry_str(i, j)}" for i in range(n) for j in range(m)]
        text = "\n".join(lines) + "\n"
    sys.stdout.write(text)      # a reader that leaves early: main's output_outlives_reader
    return EXIT_OK


def cmd_train(args):
    """Numeric cross-check (netalgebra.numeric): train on a witness set, without and with decay.

    Source: a pattern file, ``--preset`` or ``--certificate`` (its training set and target);
    none of them means the paper's experiment, ``ul:20`` with 20 000 points (``--full``:
    ``ul:100`` with 100 000).  Small patterns get the witness set of
    :func:`netalgebra.numeric.training_set` and Adam with a cosine schedule; paper-size
    ones get the paper's SGD with momentum.  Prints one summary line per run; exit 0,
    2 on bad input.
    """
    import math

    try:
        from netalgebra import numeric as nm
        from netalgebra.pattern import SparsityPattern
    except ImportError as exc:
        return fail(f"train needs numpy ({exc}); pip install 'netalgebra[numeric]'")
    sources = [s for s in (args.pattern, args.preset, args.certificate) if s is not None]
    if len(sources) > 1:
        return fail("give only one of a pattern file, --preset or --certificate")
    for name, value in (("--steps", args.steps), ("--batch-size", args.batch_size)):
        if value is not None and value < 1:
            return fail(f"{name} must be a positive integer, got {value}")
    if args.lr is not None and not (args.lr > 0 and math.isfinite(args.lr)):
        return fail(f"--lr must be positive, got {args.lr}")
    if args.weight_decay is not None and not (args.weight_decay >= 0 and math.isfinite(args.weight_decay)):
        return fail(f"--weight-decay must be >= 0, got {args.weight_decay}")
    if args.optimizer is not None and args.optimizer not in nm.OPTIMIZERS:
        return fail(f"--optimizer: unknown {args.optimizer!r}; choose one of {', '.join(nm.OPTIMIZERS)}")
    if not 0 <= args.seed < 2 ** 32:
        return fail(f"--seed must be an integer in [0, 2^32), got {args.seed}")
    try:
        from netalgebra.inputfile import parse_json, png_path, read_json, read_text, writable_path

        args.plot = png_path(args.plot, "--plot") if args.plot else None
        for name, path in (("--plot", args.plot), ("--csv", args.csv)):
            if path:
                writable_path(path, name)
    except InputError as exc:
        return fail(str(exc))
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            return fail("--plot needs matplotlib; pip install 'netalgebra[numeric]'")
    try:
        if args.certificate is not None:
            cert = read_json(args.certificate, "certificate")
            data = nm.training_set_from_certificate(cert)
        else:
            if args.pattern is not None:
                pattern = _load_pattern(args)
            else:
                pattern = SparsityPattern.preset(args.preset or ("ul:100" if args.full else "ul:20"))
            target = None
            if args.target is not None:
                text = args.target
                if not text.lstrip().startswith("["):
                    text = read_text(text, "--target file")
                target = parse_json(text, "--target")
                target = nm.rational_matrix(target, "--target")
            data = nm.training_set(pattern, target, seed=args.seed, full=args.full)
        paper = data.inputs.shape[0] > nm.MAX_WITNESS_POINTS
        kw = dict(nm.PAPER_DEFAULTS if paper else nm.WITNESS_DEFAULTS)
        if args.full and paper:
            kw["batch_size"] = 3000
        for key in ("steps", "lr", "optimizer", "weight_decay", "schedule", "batch_size"):
            value = getattr(args, key)
            if value is not None:
                kw[key] = value
        wd = kw.pop("weight_decay")
        runs = []
        name = getattr(data.pattern, "name", None) or "pattern"
        print(f"{name}: {data.description}; {kw['optimizer']} lr {kw['lr']:g} ({kw['schedule']}), "
              f"{kw['steps']} steps, batch {kw['batch_size'] or 'full'}, seed {args.seed}")
        for decay in ([0.0, wd] if wd > 0 else [0.0]):
            bar = None if args.quiet else nm.ProgressBar(f"weight decay {decay:g}".ljust(20))
            r = nm.train(data, weight_decay=decay, seed=args.seed, progress=bar, backend=args.backend, **kw)
            runs.append(r)
            extra = (f"; norm bound {r.norm_bound:.3g} ({'objective stayed below its start' if r.descent_ok else 'objective rose above its start: bound not guaranteed'})"
                     if decay > 0 else "")
            print(r.summary() + extra)
    except InputError as exc:
        return fail(str(exc))
    if args.csv:
        nm.write_csv(runs, args.csv)
        print(f"wrote {args.csv}")
    if args.plot:
        nm.plot(runs, args.plot, title=f"{name}: {data.description}; {kw['optimizer']}, lr {kw['lr']:g}")
        print(f"wrote {args.plot}")
    return EXIT_OK


def cmd_census(args):
    """Enumerate the layered patterns of a shape up to symmetry and decide them (netalgebra.census).

    With ``--shape`` the census is run (resuming ``--out``); with ``--summary`` the counts by
    verdict and by number of non-zeros are printed and the non-closed fraction is plotted
    (``--plot``, default: the CSV's name with ``.png``).  ``--summary`` without ``--shape``
    summarises an existing CSV.  Exit 0 when every row is decided, 3 when unknown rows
    remain, 2 on bad input, 130 when interrupted (the CSV keeps the finished rows).
    """
    import os

    try:
        if args.shape is None and not (args.summary and args.out):
            raise InputError("give --shape N0,N1,N2[,N3...] (or --summary with --out CSV to summarise a census)")
        if args.workers is not None and args.workers < 1:
            raise InputError(f"--workers {args.workers}: must be >= 1")
        if args.timeout is not None and not args.timeout > 0:
            raise InputError(f"--timeout {args.timeout}: must be > 0 seconds")
        from netalgebra import census

        from netalgebra.inputfile import check_file, png_path, writable_path

        shape = census.parse_shape(args.shape) if args.shape is not None else None
        out = args.out or "census-{}.csv".format("-".join(map(str, shape)))
        if shape is None:
            check_file(out, "--out census CSV")
        else:
            writable_path(out, "--out")
        if args.plot:
            args.plot = writable_path(png_path(args.plot, "--plot"), "--plot")
    except InputError as e:
        return fail(str(e))
    res = None
    if shape is not None:
        try:
            res = census.run_census(shape, out, timeout=args.timeout, workers=args.workers,
                                    scheduler=args.scheduler, progress=not args.quiet,
                                    retry_unknown=args.retry_unknown)
        except (InputError, ValueError) as e:
            return fail(str(e))
        except ImportError as e:
            return fail(f"--scheduler needs dask.distributed ({e}); pip install 'dask[distributed]'")
        except (OSError, TimeoutError) as e:
            return fail(f"--scheduler {args.scheduler}: cannot connect ({e})" if args.scheduler else str(e))
        except KeyboardInterrupt:
            print(f"netalgebra: census interrupted; finished rows are in {out} (rerun to resume)",
                  file=sys.stderr)
            return 130
        c = res.counts
        print(f"census {','.join(map(str, res.shape))}: {res.orbits} patterns up to symmetry "
              f"({res.raw} raw); closed {c['closed']}, not_closed {c['not_closed']}, unknown {c['unknown']}; "
              f"{res.decided} decided, {res.skipped} already in {out}; {res.seconds:.1f} s")
    unknown = res.counts["unknown"] if res is not None else 0
    if args.summary:
        try:
            rows = census.read_rows(out)
            s = census.summarize(rows)
        except (InputError, ValueError, KeyError, OSError) as e:
            return fail(f"{out}: {e}")
        plot = args.plot or (os.path.splitext(out)[0] + ".png")
        try:
            census.plot_summary(s, plot)
            note = f"plot written to {plot}"
        except ImportError:
            note = "matplotlib is not installed; no plot"
        except OSError as e:
            return fail(f"--plot {plot}: {e}")
        print(census.format_summary(s))
        print(note)
        unknown = s["by_verdict"]["unknown"]["orbits"]
    return EXIT_UNKNOWN if unknown else EXIT_OK


def _add_pattern_source(p):
    p.add_argument("pattern", nargs="?", help="pattern JSON file")
    p.add_argument("--preset", help="preset name, e.g. ul:2, dense:3,3,3, butterfly:4")


def build_parser():
    from netalgebra.inputfile import seconds

    parser = argparse.ArgumentParser(
        prog="netalgebra",
        description="Decide exactly whether the linear counterpart L_I of a sparse ReLU architecture is closed "
                    "(necessary for every training problem to have an optimum; sufficient only where a named "
                    "theorem says so), or whether F_I(Omega) is closed on given training inputs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="decide closedness of L_I (or of F_I(Omega) with --points), with a "
                                     "certificate; prints what it proves about optima")
    _add_pattern_source(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--out", help="write the certificate to this file")
    p.add_argument("--timeout", type=seconds, default=60.0, help="seconds before answering unknown")
    p.add_argument("--points", help="training inputs Omega (JSON list of rational points, CSV, or .npy): "
                                    "decide F_I(Omega) itself, i.e. whether every target on them has an optimum")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("verify", help="re-check a certificate with exact arithmetic")
    p.add_argument("certificate", help="certificate JSON file")
    p.add_argument("--timeout", type=seconds, default=600.0,
                   help="seconds for the CAD re-checks of CAD certificates (default 600); when they run out "
                        "the answer is 'could not re-check within budget', exit code 3")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("compile", help="print the linear counterpart's polynomial map")
    _add_pattern_source(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("train", help="numeric cross-check: train on the witness training set")
    _add_pattern_source(p)
    p.add_argument("--certificate", help="certificate JSON file (training set and target)")
    p.add_argument("--steps", type=int, default=None, help="optimizer steps (default 20000; paper runs 10000)")
    p.add_argument("--lr", type=float, default=None, help="step size (default 0.01 Adam; paper runs 0.1 SGD)")
    p.add_argument("--optimizer", default=None, help="gd, sgd (momentum 0.9) or adam")
    p.add_argument("--weight-decay", type=float, default=None,
                   help="decay of the second run (default 1e-2; paper runs 5e-4); 0: one run without decay")
    p.add_argument("--seed", type=int, default=0, help="seed of the data, initialisation and batches")
    p.add_argument("--plot", help="write the three-panel figure to this PNG")
    p.add_argument("--csv", help="write per-step metrics to this CSV")
    p.add_argument("--full", action="store_true",
                   help="the paper's experiment at full size (ul:100, 100 000 points, batch 3000)")
    p.add_argument("--target", help="target matrix A as JSON rows of rationals, or a JSON file (default: J)")
    p.add_argument("--schedule", choices=["constant", "cosine", "inverse", "norm"], default=None,
                   help="step-size schedule")
    p.add_argument("--batch-size", type=int, default=None, help="mini-batch size (default: full batch)")
    p.add_argument("--backend", choices=["numpy", "torch"], default="numpy")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("census", help="decide every small layered pattern up to isomorphism")
    p.add_argument("--shape", help="N0,N1,N2[,N3,...] (two or more weight layers)")
    p.add_argument("--out", help="CSV file (appended; finished patterns are skipped on restart)")
    p.add_argument("--summary", action="store_true",
                   help="print counts by verdict and by non-zeros, plot the non-closed fraction")
    p.add_argument("--scheduler", help="dask.distributed scheduler address (default: local processes)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    p.add_argument("--timeout", type=seconds, default=10.0, help="per-pattern budget in seconds")
    p.add_argument("--plot", help="with --summary: PNG path (default: the CSV name with .png)")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    p.add_argument("--retry-unknown", action="store_true",
                   help="re-decide the rows of --out whose verdict is unknown")
    p.set_defaults(func=cmd_census)
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:          # argparse has printed its usage error (or --help)
        return e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
    with output_outlives_reader():
        try:
            return args.func(args)
        except Exception as exc:  # noqa: BLE001 -- one line and an exit code, never a traceback
            return _uncaught(exc)


if __name__ == "__main__":
    sys.exit(main())
