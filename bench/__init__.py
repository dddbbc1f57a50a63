"""Loopkeeper benchmarks: scripts that print figures (`make bench`), never timed asserts.

- bench.latency: ack latency over real HTTP against a bare Bolt app, on SQLite and
  PostgreSQL, and server memory;
- bench.cpu_profile: where a request's server CPU goes (py-spy samples, in buckets);
- bench.sweep_cost: the clock sweep as the store grows, and its query plans;
- bench.seed: bulk seeding in the app's own schema;
- bench.report: the final table and RESULTS.md.
"""
