// EvalTests: tests of this area live in this folder, one file per idea.
