(set-logic QF_NIA)
(declare-const x Int)
(assert (> x 0))
(check-sat)
