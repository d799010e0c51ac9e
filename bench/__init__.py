"""Benchmarks of clinicpay's real work on this machine: `python -m bench [--quick]` (`make bench`).

Not tests: nothing here asserts. Each scenario starts the real services (bench/stack.py),
measures a figure as the median of at least three runs, and measures beside it, in the same
run, a baseline of what this machine does with none of our code — so the ratio still means
something when other work shares the cores. Results go to bench/RESULTS.md and
bench/results.json (quick mode: test-artifacts/bench-quick/).

`python -m bench.ab --base DIR` compares this checkout's API with another's, request by request
(bench/ab.py): the figure for a before-and-after claim, where one tree's runs vary too much.
"""
