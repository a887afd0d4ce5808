"""The status report: one rollup, its story, history, rendering, nightly runs and publishing."""
