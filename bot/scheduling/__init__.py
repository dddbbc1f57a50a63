"""The sweep: a lock so one process works at a time, planning each clock's next step,
delivering alerts, and the weekly reports."""
