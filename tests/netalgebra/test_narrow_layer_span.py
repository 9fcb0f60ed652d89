"""The row-span obstruction of the narrow-layer route (issue 15, acceptance 3): with ``rank A = s``
live neurons at a cut, row ``r`` of ``A`` lies in the sum of ``rowspace(A) ∩ E_{R_i}`` over the live
neurons ``i`` joined to output ``r``; a limit outside it is not attained.  A verdict the mathematics
fixes (worked out below), the certificate's re-check, and tamper tests."""

import copy
import json
from fractions import Fraction

from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern as S

# random:4,4,4,4:0.6:28: hidden layer 1 has the live neurons 0, 2, 3 with inputs R_0 = {0,1,2,3},
# R_2 = {0,2,3}, R_3 = {0,1,2}; output 3 reads only neuron 3 of layer 2, which reads neurons 2, 3 of
# layer 1, so output 3 is joined to neurons 2 and 3 only.  If the rank-3 target's row space V contains
# e_0 and e_2 but neither e_1 nor e_3, then V ∩ E_{R_2} = V ∩ E_{R_3} = span(e_0, e_2), and a row 3 with
# a non-zero entry in column 1 or 3 is outside it: not attained.  The collision of neurons 2 and 3
# reaches such a target.
SPAN = "random:4,4,4,4:0.6:28"


def certificate():
    v = decide(S.preset(SPAN), 60)
    assert v.status == "not_closed", v.reason
    c = json.loads(json.dumps(v.certificate))
    inner = c["block"]["certificate"]
    assert inner["method"] == "narrow_layer" and inner["non_attainment"]["method"] == "narrow_layer_span"
    return c, inner


def test_the_target_is_the_one_the_mathematics_describes():
    c, inner = certificate()
    assert verify(c).ok and verify(inner).ok
    na = inner["non_attainment"]
    assert (na["layer"], na["side"], na["line"]) == (1, "rows", 3)
    A = [[Fraction(x) for x in r] for r in inner["target"]]
    assert A[3][1] != 0 or A[3][3] != 0


def test_span_certificate_tamper():
    _, c = certificate()
    cases = []
    for key, value in (("line", 0), ("line", 9), ("layer", 2), ("side", "cols"), ("line", "3"), ("method", "x")):
        bad = copy.deepcopy(c)
        bad["non_attainment"][key] = value
        cases.append((f"{key}={value!r}", bad))
    bad = copy.deepcopy(c)                        # the target moved inside the span: row 3 := row 0
    bad["target"][3] = list(bad["target"][0])
    cases.append(("target", bad))
    bad = copy.deepcopy(c)                        # a mask edge added: output 3 also reads neuron 0 of layer 2
    bad["pattern"]["masks"][2][3][0] = 1
    bad["pattern"]["name"] = None
    cases.append(("mask", bad))
    for what, bad in cases:
        rep = verify(bad)
        assert not rep.ok, what
