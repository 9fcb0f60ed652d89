(set-logic NRA)
(declare-const a Real)
(assert (forall ((x Int)) (>= (* x x) a)))
(check-sat)
