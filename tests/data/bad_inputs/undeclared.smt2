(set-logic QF_NRA)
(declare-const x Real)
(assert (> (* x y) 0))
(check-sat)
