(set-logic QF_NRA)
(declare-const x Real)
(assert (> (/ 1 x) 0))
(check-sat)
