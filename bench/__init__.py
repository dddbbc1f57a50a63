"""Loopkeeper benchmarks: scripts that print figures (`make bench`), never timed asserts.

- bench.latency: ack latency over real HTTP against a bare Bolt app, and server memory;
- bench.sweep_cost: the clock sweep as the store grows, and its query plans;
- bench.seed: bulk seeding in the app's own schema;
- bench.report: the final table and RESULTS.md.
"""
