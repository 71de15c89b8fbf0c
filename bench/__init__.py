"""The benchmarks behind `make bench` (bench/run.py) and `make bench-scale` (bench/scale.py)."""
